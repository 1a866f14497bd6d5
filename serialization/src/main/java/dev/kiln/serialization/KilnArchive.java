package dev.kiln.serialization;

import dev.kiln.ir.graph.Block;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.NodeKind;
import dev.kiln.ir.graph.TensorData;
import dev.kiln.ir.type.Shape;
import dev.kiln.ir.type.TensorType;
import dev.kiln.ir.verify.GraphVerifier;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A model as one archive holds it: the graph (with its constant table), the parameters its {@code param[...]}
 * nodes read, the input/output {@link Signature}, {@link ArchiveMetadata}, and optional artifacts — generated class
 * files, PTX kernels and user extra files.
 *
 * <p>Invariants, checked when built (by {@link Builder#build} or by the reader): the graph verifies; every
 * {@code param["key"]} node has a parameter of exactly its output type; the signature matches the graph's inputs
 * and outputs; each {@link CompiledCode} section's graph verifies and names only class and PTX entries of this
 * archive. The graph is held, not copied: do not mutate it afterwards. Byte arrays are copied in and out.
 *
 * <p>An archive returned by {@link ArchiveReader} also carries the {@link #formatVersion()} it was written with
 * and its verified artifact {@link #index()}; a built one has {@link FormatVersion#CURRENT} and an empty index
 * ({@link ArchiveWriter#write} returns the index it writes).
 */
public final class KilnArchive {
    private final Graph graph;
    private final Map<String, RawTensor> parameters;
    private final Signature signature;
    private final ArchiveMetadata metadata;
    private final Map<String, byte[]> classFiles;
    private final Map<String, String> ptx;
    private final Map<String, byte[]> extras;
    private final List<CompiledCode> compiledCode;
    private final FormatVersion formatVersion;
    private final List<ArchiveEntry> index;

    private KilnArchive(Builder b, FormatVersion formatVersion, List<ArchiveEntry> index) {
        this.graph = b.graph;
        this.parameters = Collections.unmodifiableMap(new LinkedHashMap<>(b.parameters));
        this.signature = b.signature != null ? b.signature : Signature.defaultFor(b.graph);
        this.metadata = b.metadata != null ? b.metadata : ArchiveMetadata.of("");
        this.classFiles = Collections.unmodifiableMap(new LinkedHashMap<>(b.classFiles));
        this.ptx = Collections.unmodifiableMap(new LinkedHashMap<>(b.ptx));
        this.extras = Collections.unmodifiableMap(new LinkedHashMap<>(b.extras));
        this.compiledCode = List.copyOf(b.compiledCode.values());
        this.formatVersion = formatVersion;
        this.index = List.copyOf(index);
        GraphVerifier.verify(graph);
        signature.checkMatches(graph);
        checkParameters(graph.topBlock());
        for (CompiledCode c : compiledCode) checkCompiledCode(c);
    }

    /** Starts an archive of {@code graph}. */
    public static Builder builder(Graph graph) { return new Builder(graph); }

    public Graph graph() { return graph; }

    /** Parameters and buffers by state-dict key, in the order they were added; unmodifiable. */
    public Map<String, RawTensor> parameters() { return parameters; }

    /** The graph's constant table ({@code const(@key)} data). */
    public Map<String, TensorData> constants() { return graph.constants(); }

    public Signature signature() { return signature; }

    public ArchiveMetadata metadata() { return metadata; }

    /** Binary class names of the generated classes, in insertion order. */
    public List<String> classNames() { return List.copyOf(classFiles.keySet()); }

    /** The bytecode of generated class {@code binaryName} (a copy), or null. */
    public byte[] classFile(String binaryName) {
        byte[] b = classFiles.get(binaryName);
        return b == null ? null : b.clone();
    }

    /** PTX source by kernel name; unmodifiable. */
    public Map<String, String> ptx() { return ptx; }

    /** Names of the user extra files, in insertion order. */
    public List<String> extraNames() { return List.copyOf(extras.keySet()); }

    /** The content of extra file {@code name} (a copy), or null. */
    public byte[] extra(String name) {
        byte[] b = extras.get(name);
        return b == null ? null : b.clone();
    }

    /** The generated code sections (format 1.1), one per backend, in insertion order; empty in a 1.0 archive. */
    public List<CompiledCode> compiledCode() { return compiledCode; }

    /** The generated code for {@code backend}, if the archive holds any. */
    public java.util.Optional<CompiledCode> compiledCode(String backend) {
        return compiledCode.stream().filter(c -> c.backend().equals(backend)).findFirst();
    }

    public FormatVersion formatVersion() { return formatVersion; }

    /** The verified artifact index of an archive that was read; empty for one built in memory. */
    public List<ArchiveEntry> index() { return index; }

    Map<String, byte[]> classFilesView() { return classFiles; }

    Map<String, byte[]> extrasView() { return extras; }

    private void checkCompiledCode(CompiledCode c) {
        String what = "compiled code for backend '" + c.backend() + "'";
        GraphVerifier.verify(c.graph());
        checkParameters(c.graph().topBlock());
        for (CompiledCode.Artifact a : c.artifacts()) {
            String cls = ArchiveLayout.classNameOf(a.entry());
            String kernel = ArchiveLayout.kernelNameOf(a.entry());
            boolean present = cls != null ? cls.equals(a.name()) && classFiles.containsKey(cls)
                    : kernel != null && kernel.equals(a.name()) && ptx.containsKey(kernel);
            if (!present) {
                throw new IllegalArgumentException(what + ": artifact '" + a.name() + "' names entry " + a.entry()
                        + ", which is not a class or PTX entry of this name in the archive");
            }
            if (a.scalarClass() != null && !classFiles.containsKey(a.scalarClass())) {
                throw new IllegalArgumentException(what + ": artifact '" + a.name() + "' names the scalar twin class '"
                        + a.scalarClass() + "', which is not a class entry of the archive (" + a.scalarEntry() + ")");
            }
            if (a.launch() != null) {
                List<Node> top = c.graph().topBlock().nodes();
                int n = a.launch().node();
                if (n >= top.size() || !(top.get(n).kind() instanceof NodeKind.Fused)) {
                    throw new IllegalArgumentException(what + ": PTX kernel '" + a.name() + "' launches for node " + n
                            + " of the graph's top block, which is not a fusion node (the block has " + top.size()
                            + " nodes)");
                }
            }
        }
    }

    private void checkParameters(Block block) {
        for (Node n : block.nodes()) {
            if (n.kind() instanceof NodeKind.Param p) {
                RawTensor t = parameters.get(p.key());
                if (t == null) {
                    throw new IllegalArgumentException("graph node " + n + "[\"" + p.key()
                            + "\"] has no parameter tensor; parameters: " + parameters.keySet());
                }
                TensorType want = TensorType.of(t.dtype(), Shape.of(t.shape()));
                if (!want.equals(n.output().type())) {
                    throw new IllegalArgumentException("parameter '" + p.key() + "' is " + want + " but graph node "
                            + n.output() + " declares " + n.output().type());
                }
            }
            for (Block sub : n.blocks()) checkParameters(sub);
        }
    }

    /** Collects an archive's parts; {@link #build()} checks them together. */
    public static final class Builder {
        private final Graph graph;
        private final Map<String, RawTensor> parameters = new LinkedHashMap<>();
        private Signature signature;
        private ArchiveMetadata metadata;
        private final Map<String, byte[]> classFiles = new LinkedHashMap<>();
        private final Map<String, String> ptx = new LinkedHashMap<>();
        private final Map<String, byte[]> extras = new LinkedHashMap<>();
        private final Map<String, CompiledCode> compiledCode = new LinkedHashMap<>();

        private Builder(Graph graph) { this.graph = Objects.requireNonNull(graph, "graph"); }

        /** Adds parameter or buffer {@code key} (a state-dict key); a key may be given once. */
        public Builder parameter(String key, RawTensor tensor) {
            if (key == null || key.isEmpty()) throw new IllegalArgumentException("empty parameter key");
            if (parameters.putIfAbsent(key, Objects.requireNonNull(tensor, "tensor")) != null) {
                throw new IllegalArgumentException("parameter '" + key + "' given twice");
            }
            return this;
        }

        public Builder parameter(String key, TensorData tensor) { return parameter(key, RawTensor.of(tensor)); }

        /** Default: {@link Signature#defaultFor} the graph. */
        public Builder signature(Signature signature) {
            this.signature = Objects.requireNonNull(signature, "signature");
            return this;
        }

        /** Default: {@link ArchiveMetadata#of} an empty model class name, created now. */
        public Builder metadata(ArchiveMetadata metadata) {
            this.metadata = Objects.requireNonNull(metadata, "metadata");
            return this;
        }

        /** Adds generated class {@code binaryName} ({@code dev.kiln.gen.Model}), stored as {@code kiln/jvm/dev/kiln/gen/Model.class}. */
        public Builder classFile(String binaryName, byte[] bytecode) {
            putOnce(classFiles, ArchiveLayout.checkClassName(binaryName), bytecode.clone(), "class");
            return this;
        }

        /** Adds PTX for {@code kernel}, stored as {@code kiln/ptx/<kernel>.ptx}. */
        public Builder ptx(String kernel, String source) {
            putOnce(ptx, ArchiveLayout.checkKernelName(kernel), Objects.requireNonNull(source, "source"), "PTX kernel");
            return this;
        }

        /** Adds user file {@code name} (a safe relative path), stored as {@code kiln/extra/<name>}. */
        public Builder extra(String name, byte[] content) {
            putOnce(extras, ArchiveLayout.checkExtraName(name), content.clone(), "extra file");
            return this;
        }

        public Builder extra(String name, String utf8Text) {
            return extra(name, utf8Text.getBytes(StandardCharsets.UTF_8));
        }

        /**
         * Adds generated code for one backend (format 1.1); its artifacts' class files and PTX must be added with
         * {@link #classFile} and {@link #ptx}.
         */
        public Builder compiledCode(CompiledCode code) {
            putOnce(compiledCode, code.backend(), code, "compiled code for backend");
            return this;
        }

        private static <V> void putOnce(Map<String, V> m, String key, V value, String what) {
            if (m.putIfAbsent(key, value) != null) throw new IllegalArgumentException(what + " '" + key + "' given twice");
        }

        /**
         * The archive; throws {@link IllegalArgumentException} (or the verifier's exception) when the parts do not
         * fit together.
         */
        public KilnArchive build() { return new KilnArchive(this, FormatVersion.CURRENT, List.of()); }

        /** For the reader: an archive read from a file of {@code version} with its verified {@code index}. */
        KilnArchive build(FormatVersion version, List<ArchiveEntry> index) { return new KilnArchive(this, version, index); }
    }
}
