package dev.kiln.eager.nn;

import dev.kiln.eager.Tensor;

/** Logistic sigmoid {@code 1 / (1 + exp(-x))}, as {@code torch.nn.Sigmoid}. Stateless. */
public class Sigmoid extends Module {
    @Override
    public Tensor forward(Tensor input) { return F.sigmoid(input); }

    @Override
    public String toString() { return "Sigmoid()"; }
}
