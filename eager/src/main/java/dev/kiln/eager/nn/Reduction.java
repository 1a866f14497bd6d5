package dev.kiln.eager.nn;

import dev.kiln.eager.Tensor;

/** How a loss combines its per-element values, as PyTorch's {@code reduction} argument. */
public enum Reduction {
    /** The per-element losses, unreduced. */
    NONE,
    /** Their mean (for weighted losses, the weighted mean). */
    MEAN,
    /** Their sum. */
    SUM;

    /** Applies this reduction to unweighted per-element losses. */
    Tensor apply(Tensor losses) {
        return switch (this) {
            case NONE -> losses;
            case MEAN -> losses.mean();
            case SUM -> losses.sum();
        };
    }
}
