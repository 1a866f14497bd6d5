package dev.kiln.runtime;

import dev.kiln.eager.Tensor;
import dev.kiln.serialization.ArchiveReader;
import dev.kiln.serialization.KilnArchive;
import dev.kiln.serialization.RawTensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Loads {@code .kiln} archives into runnable {@link LoadedModel}s, with no access to the model's Java source.
 *
 * <pre>{@code
 * LoadedModel m = KilnRuntime.load(Path.of("mlp.kiln"));
 * Tensor logits = m.run(Map.of("x", x)).get("logits");
 * }</pre>
 *
 * <p>Loading: {@link ArchiveReader#read} verifies the whole archive (checksums, version, known ops, a graph that
 * decodes and verifies, parameters and signature that fit it) and throws
 * {@link dev.kiln.serialization.ArchiveException} otherwise; the parameters become eager tensors once; the backend
 * (the archive's, or the one {@link LoadOptions} asks for) prepares an {@link Executor}, or the load fails with a
 * {@link ModelLoadException} naming the backend and what this runtime has.
 */
public final class KilnRuntime {
    private KilnRuntime() {}

    /** Loads the archive at {@code file} with its own backend. */
    public static LoadedModel load(Path file) throws IOException { return load(file, LoadOptions.defaults()); }

    /** Loads the archive at {@code file} as {@code options} say. */
    public static LoadedModel load(Path file, LoadOptions options) throws IOException {
        KernelWarmup.start(); // overlaps the kernels' one-time native initialisation with reading the archive
        return fromArchive(ArchiveReader.read(file), options, file.toString());
    }

    /** Makes an archive already in memory (read or built) runnable; {@code source} names it in messages. */
    public static LoadedModel fromArchive(KilnArchive archive, LoadOptions options, String source)
            throws ModelLoadException {
        String name = options.backend() != null ? options.backend() : Backends.requestedBy(archive.metadata());
        Backend backend = Backends.find(name).orElseThrow(() -> new ModelLoadException(source + ": "
                + Backends.unavailableReason(name) + (options.backend() == null
                        ? "; the archive was compiled for it (its graph can still run with --backend interp)" : "")));
        Map<String, Tensor> parameters = new LinkedHashMap<>();
        for (Map.Entry<String, RawTensor> e : archive.parameters().entrySet()) {
            parameters.put(e.getKey(), TensorConversion.toTensor(e.getValue()));
        }
        Executor executor;
        try {
            executor = backend.prepare(archive, parameters);
        } catch (ModelLoadException e) {
            throw new ModelLoadException(source + ": backend " + name + ": " + e.getMessage(), e);
        }
        return new LoadedModel(source, archive.graph(), archive.signature(), archive.metadata(), name, executor);
    }
}
