package dev.kiln.runtime;

import dev.kiln.serialization.ArchiveReader;
import dev.kiln.serialization.KilnArchive;
import java.io.IOException;
import java.nio.file.Path;

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
 * {@link dev.kiln.serialization.ArchiveException} otherwise; the backend (the archive's, or the one
 * {@link LoadOptions} asks for) prepares an {@link Executor} — verifying any embedded code it runs, converting the
 * parameters to eager tensors only if it needs them — or the load fails with a {@link ModelLoadException} naming the
 * backend and what is wrong ({@link DeviceUnavailableException} for {@code --device cuda} without a GPU).
 */
public final class KilnRuntime {
    private KilnRuntime() {}

    /** Loads the archive at {@code file} with its own backend. */
    public static LoadedModel load(Path file) throws IOException { return load(file, LoadOptions.defaults()); }

    /** Loads the archive at {@code file} as {@code options} say. */
    public static LoadedModel load(Path file, LoadOptions options) throws IOException {
        // Overlaps the kernels' one-time native initialisation with reading the archive.
        if (options.warmKernels()) KernelWarmup.start();
        KilnArchive archive;
        try {
            archive = ArchiveReader.read(file);
        } finally {
            KernelWarmup.await(); // the model runs native GEMMs from its first call
        }
        return fromArchive(archive, options, file.toString());
    }

    /** Makes an archive already in memory (read or built) runnable; {@code source} names it in messages. */
    public static LoadedModel fromArchive(KilnArchive archive, LoadOptions options, String source)
            throws ModelLoadException {
        String name = backendName(archive, options, source);
        Backend backend = Backends.find(name).orElseThrow(() -> new ModelLoadException(source + ": "
                + Backends.unavailableReason(name) + (options.backend() == null
                        ? "; the archive was compiled for it (its graph can still run with --backend interp)" : "")));
        LoadContext context = new LoadContext(archive, source, options);
        Executor executor;
        try {
            executor = backend.prepare(context);
        } catch (DeviceUnavailableException e) {
            throw new DeviceUnavailableException(source + ": " + e.getMessage());
        } catch (ModelLoadException e) {
            throw new ModelLoadException(source + ": backend " + name + ": " + e.getMessage(), e);
        }
        return new LoadedModel(source, archive.graph(), archive.signature(), archive.metadata(), name, executor,
                context.notes());
    }

    /**
     * The backend to run: the one asked for, else the archive's. {@code --device cuda} runs the {@code ptx} backend
     * (the only one with device code), whatever the archive was compiled for.
     */
    private static String backendName(KilnArchive archive, LoadOptions options, String source)
            throws ModelLoadException {
        if (options.device() == LoadOptions.Device.CUDA) {
            if (options.backend() != null && !options.backend().equals(PtxBackend.NAME)) {
                throw new ModelLoadException(source + ": --device cuda runs the ptx backend, but backend '"
                        + options.backend() + "' was asked for (it runs on the CPU)");
            }
            return PtxBackend.NAME;
        }
        return options.backend() != null ? options.backend() : Backends.requestedBy(archive.metadata());
    }
}
