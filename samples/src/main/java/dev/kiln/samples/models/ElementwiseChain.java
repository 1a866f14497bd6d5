package dev.kiln.samples.models;

import dev.kiln.eager.Tensor;
import dev.kiln.eager.nn.F;
import dev.kiln.eager.nn.Module;

/**
 * Conformance case {@code elementwise_chain}:
 * {@code sigmoid(x*1.5+0.25)*tanh(x) - 0.5*exp(-x*x) + clamp(x,-1,1) + gelu(x) + x*x/(1+abs(x))}.
 */
public final class ElementwiseChain extends Module {
    @Override
    public Tensor forward(Tensor x) {
        Tensor y = x.mul(1.5).add(0.25).sigmoid().mul(x.tanh())
                .sub(x.neg().mul(x).exp().mul(0.5))
                .add(x.clamp(-1, 1));
        return y.add(F.gelu(x)).add(x.mul(x).div(x.abs().add(1)));
    }
}
