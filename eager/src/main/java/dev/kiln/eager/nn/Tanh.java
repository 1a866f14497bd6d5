package dev.kiln.eager.nn;

import dev.kiln.eager.Tensor;

/** Hyperbolic tangent, as {@code torch.nn.Tanh}. Stateless. */
public class Tanh extends Module {
    @Override
    public Tensor forward(Tensor input) { return F.tanh(input); }

    @Override
    public String toString() { return "Tanh()"; }
}
