package dev.kiln.runtime;

/**
 * One way of executing an archived model: the reference interpreter ({@code interp}), the generated JVM class
 * ({@code jvm}), PTX kernels on a CUDA device ({@code ptx}). An archive names the backend it was compiled for in
 * its metadata ({@code compile_options["backend"]}); {@link Backends} maps that name to an implementation.
 *
 * <p>A backend may use any artifact of the archive (class files, PTX) but must verify what it executes: the
 * archive reader has checked integrity only, not whether embedded code is safe to run.
 */
public interface Backend {
    /** The name archives use for this backend ({@code interp}, {@code jvm}, {@code ptx}). */
    String name();

    /**
     * Prepares {@code context.archive()} for execution; notes what code it chose with {@link LoadContext#note}.
     *
     * @throws ModelLoadException when the archive cannot be run by this backend
     */
    Executor prepare(LoadContext context) throws ModelLoadException;
}
