package dev.kiln.runtime;

import dev.kiln.eager.Tensor;
import java.util.List;

/**
 * A model made runnable by a {@link Backend}. Implementations must be safe to call from many threads at once and
 * must not modify their inputs.
 */
public interface Executor {
    /**
     * Runs the model on {@code inputs}, which the caller has already checked against the model's signature (count,
     * dtype, rank and shape); returns the outputs in the signature's order.
     */
    List<Tensor> execute(Tensor[] inputs);

    /**
     * Blocks until the model's code runs at its steady-state speed (the JVM backend: its Vector API loops and GEMM/conv
     * kernels compiled by C2, {@code CompiledModule.awaitWarm}) or {@code timeout} passes; returns whether it does.
     * The model already runs before, only slower. Executors without a warm-up return {@code true}.
     */
    default boolean awaitWarm(java.time.Duration timeout) { return true; }
}
