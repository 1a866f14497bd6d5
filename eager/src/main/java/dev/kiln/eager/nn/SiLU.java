package dev.kiln.eager.nn;

import dev.kiln.eager.Tensor;

/** {@code x * sigmoid(x)}, as {@code torch.nn.SiLU}. Stateless. */
public class SiLU extends Module {
    @Override
    public Tensor forward(Tensor input) { return F.silu(input); }

    @Override
    public String toString() { return "SiLU()"; }
}
