package dev.kiln.serialization;

import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.sym.SymExpr;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One backend's generated code in an archive (format 1.1, {@code Model.compiled_code}; scalar twins since 1.2): the
 * optimised graph the code was generated from — so a runtime can regenerate it from IR — and the artifacts holding
 * the code, each a class file ({@code kiln/jvm/...}) or PTX ({@code kiln/ptx/...}) entry of the same archive,
 * covered by its SHA-256 index like every entry.
 *
 * <p>Invariants (checked when the archive is built or read): {@code backend} is non-empty and unique in its archive;
 * {@code graph} verifies; every artifact's entry is a class or PTX entry the archive holds; a {@link PtxLaunch}'s node
 * is a fusion node of {@code graph}'s top block; a class's scalar twin is a class entry the archive holds. The graph is held, not copied: do not mutate it.
 *
 * @param abiVersion the generator's contract version with the runtime it calls; a runtime with another version must
 *                   not run the code and regenerates it from {@code graph}
 */
public record CompiledCode(String backend, int abiVersion, Map<String, String> compileOptions, Graph graph,
                           List<Artifact> artifacts) {

    public CompiledCode {
        Objects.requireNonNull(backend, "backend");
        if (backend.isEmpty()) throw new IllegalArgumentException("compiled code needs a backend name");
        if (abiVersion < 0) throw new IllegalArgumentException("negative ABI version " + abiVersion);
        compileOptions = java.util.Collections.unmodifiableMap(new TreeMap<>(compileOptions));
        Objects.requireNonNull(graph, "graph");
        artifacts = List.copyOf(artifacts);
    }

    /**
     * One generated artifact: a class (binary name) or a PTX kernel (entry name), with its archive entry.
     *
     * @param launch      how to launch a PTX kernel; null for a class
     * @param scalarClass for a class with Vector API loops, the binary name of its scalar twin (format 1.2): a class
     *                    generated from the same graph with scalar loops, stored as a class entry of the same
     *                    archive, for a JVM without {@code jdk.incubator.vector}; null when there is none
     */
    public record Artifact(String name, String entry, PtxLaunch launch, String scalarClass) {
        public Artifact {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(entry, "entry");
            if (scalarClass != null && (launch != null || scalarClass.equals(name))) {
                throw new IllegalArgumentException("artifact '" + name + "': a scalar twin belongs to a class and "
                        + "must have another name, found '" + scalarClass + "'");
            }
        }

        /** An artifact without a scalar twin. */
        public Artifact(String name, String entry, PtxLaunch launch) { this(name, entry, launch, null); }

        /** A class file artifact, stored as {@code kiln/jvm/<binary/name>.class}. */
        public static Artifact classFile(String binaryName) { return classFile(binaryName, null); }

        /** A class file artifact with its scalar twin {@code scalarClass} (null: none). */
        public static Artifact classFile(String binaryName, String scalarClass) {
            if (scalarClass != null) ArchiveLayout.checkClassName(scalarClass);
            return new Artifact(binaryName, ArchiveLayout.classEntry(ArchiveLayout.checkClassName(binaryName)), null,
                    scalarClass);
        }

        /** The scalar twin's entry ({@code kiln/jvm/<binary/name>.class}); null when there is none. */
        public String scalarEntry() { return scalarClass == null ? null : ArchiveLayout.classEntry(scalarClass); }

        /** A PTX kernel, stored as {@code kiln/ptx/<kernel>.ptx}. */
        public static Artifact ptx(String kernel, PtxLaunch launch) {
            return new Artifact(kernel, ArchiveLayout.ptxEntry(ArchiveLayout.checkKernelName(kernel)),
                    Objects.requireNonNull(launch, "launch"));
        }
    }

    /**
     * How a PTX kernel of a fusion group is launched (codegen-ptx's {@code RenderedKernel}): the group's node index in
     * the top block, threads per block, whether it is a reduction (one block per outer point), the kernel operands
     * that get a pointer parameter, and the symbolic domain dims passed as 32-bit sizes.
     */
    public record PtxLaunch(int node, int threads, boolean reduction, List<Integer> operandParams,
                            List<SymExpr> sizeParams) {
        public PtxLaunch {
            if (node < 0 || threads <= 0) throw new IllegalArgumentException("bad PTX launch: node " + node
                    + ", threads " + threads);
            operandParams = List.copyOf(operandParams);
            sizeParams = List.copyOf(sizeParams);
        }
    }
}
