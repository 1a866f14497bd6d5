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
}
