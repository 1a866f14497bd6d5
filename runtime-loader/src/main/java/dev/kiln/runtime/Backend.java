package dev.kiln.runtime;

import dev.kiln.eager.Tensor;
import dev.kiln.serialization.KilnArchive;
import java.util.Map;

/**
 * One way of executing an archived model: the reference interpreter today; generated JVM classes and PTX kernels
 * when {@code codegen-jvm} and {@code codegen-ptx} land. An archive names the backend it was compiled for in its
 * metadata ({@code compile_options["backend"]}); {@link Backends} maps that name to an implementation.
 *
 * <p>A backend may use any artifact of the archive (class files, PTX) but must verify what it executes: the
 * archive reader has checked integrity only, not whether embedded code is safe to run.
 */
public interface Backend {
    /** The name archives use for this backend ({@code interp}, {@code jvm}, {@code ptx}). */
    String name();

    /**
     * Prepares {@code archive} for execution. {@code parameters} are the archive's parameters as eager tensors (by
     * state-dict key), converted once and shared by every call; the executor must not modify them.
     *
     * @throws ModelLoadException when the archive cannot be run by this backend
     */
    Executor prepare(KilnArchive archive, Map<String, Tensor> parameters) throws ModelLoadException;
}
