package dev.kiln.eager.nn;

import dev.kiln.eager.Tensor;

/** Rectified linear unit, {@code max(x, 0)}, as {@code torch.nn.ReLU}. Stateless. */
public class ReLU extends Module {
    @Override
    public Tensor forward(Tensor input) { return F.relu(input); }

    @Override
    public String toString() { return "ReLU()"; }
}
