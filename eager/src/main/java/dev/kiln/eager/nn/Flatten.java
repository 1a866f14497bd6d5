package dev.kiln.eager.nn;

import dev.kiln.eager.Tensor;

/**
 * Flattens dims {@code startDim..endDim} into one, as {@code torch.nn.Flatten}; the defaults (1, -1) keep the
 * batch dimension. Stateless.
 */
public class Flatten extends Module {
    private final int startDim;
    private final int endDim;

    public Flatten() { this(1, -1); }

    public Flatten(int startDim, int endDim) {
        this.startDim = startDim;
        this.endDim = endDim;
    }

    @Override
    public Tensor forward(Tensor input) { return input.flatten(startDim, endDim); }

    @Override
    public String toString() { return "Flatten(start_dim=" + startDim + ", end_dim=" + endDim + ")"; }
}
