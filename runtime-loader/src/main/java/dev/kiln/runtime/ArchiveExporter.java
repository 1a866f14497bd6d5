package dev.kiln.runtime;

import dev.kiln.eager.Tensor;
import dev.kiln.ir.graph.Graph;
import dev.kiln.serialization.ArchiveEntry;
import dev.kiln.serialization.ArchiveMetadata;
import dev.kiln.serialization.ArchiveWriter;
import dev.kiln.serialization.KilnArchive;
import dev.kiln.serialization.Signature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Saves a graph with its eager parameters as a {@code .kiln} archive that {@link KilnRuntime#load} runs: the
 * other direction of the runtime, for whatever produced the graph (the tracer, a test, a pass pipeline).
 *
 * <p>The signature names the graph's inputs and outputs ({@code x} → {@code logits}); the metadata's compile
 * options get {@code backend=interp} unless they name a backend, which must be one this runtime has — an archive
 * is never written that this runtime could not load. For {@code jvm} the archive also carries the generated class
 * and the optimised graph it was generated from; for {@code ptx}, the PTX kernels as well ({@link GeneratedCode}). Saving is atomic ({@link ArchiveWriter#write}): on any
 * failure the target is absent or unchanged.
 */
public final class ArchiveExporter {
    private ArchiveExporter() {}

    /**
     * Builds the archive: {@code parameters} by state-dict key (any strides; copied in row-major order),
     * {@code inputNames}/{@code outputNames} one per graph input/output. The graph is held, not copied.
     *
     * @throws IllegalArgumentException when the parts do not fit together (a parameter the graph reads is
     *         missing or of another type, wrong number of names, a backend this runtime does not have)
     */
    public static KilnArchive toArchive(Graph graph, Map<String, Tensor> parameters, List<String> inputNames,
            List<String> outputNames, ArchiveMetadata metadata) {
        String backend = Backends.requestedBy(metadata);
        if (Backends.find(backend).isEmpty()) {
            throw new IllegalArgumentException("cannot export for " + Backends.unavailableReason(backend));
        }
        Map<String, String> compile = new TreeMap<>(metadata.compileOptions());
        compile.put(Backends.OPTION, backend);
        KilnArchive.Builder b = KilnArchive.builder(graph)
                .signature(Signature.named(graph, inputNames, outputNames))
                .metadata(metadata.withCompileOptions(compile));
        for (Map.Entry<String, Tensor> e : parameters.entrySet()) {
            b.parameter(e.getKey(), TensorConversion.toRaw(e.getValue()));
        }
        GeneratedCode.addTo(b, graph, parameters, backend);
        return b.build();
    }

    /** Builds the archive ({@link #toArchive}) and writes it atomically to {@code target}; returns its index. */
    public static List<ArchiveEntry> save(Graph graph, Map<String, Tensor> parameters, List<String> inputNames,
            List<String> outputNames, ArchiveMetadata metadata, Path target) throws IOException {
        return ArchiveWriter.write(toArchive(graph, parameters, inputNames, outputNames, metadata), target);
    }
}
