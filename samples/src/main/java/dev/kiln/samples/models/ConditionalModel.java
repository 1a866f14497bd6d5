package dev.kiln.samples.models;

import dev.kiln.eager.Tensor;
import dev.kiln.eager.nn.Module;

/**
 * Conformance case {@code control_flow}, from the {@code torch.jit.trace} documentation: the branch depends on
 * the data ({@code x.sum() > 0}), which a naive trace bakes in.
 */
public final class ConditionalModel extends Module {
    @Override
    public Tensor forward(Tensor x) {
        if (x.sum().item() > 0) {
            return x.mul(2);
        }
        return x.mul(3);
    }
}
