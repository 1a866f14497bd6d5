package dev.kiln.samples.models;

import dev.kiln.eager.Tensor;
import dev.kiln.eager.nn.Module;

/**
 * Conformance case {@code control_flow}, from the {@code torch.jit.trace} documentation: the branch depends on
 * the data ({@code x.sum() > 0}), which a naive trace bakes in. Kiln's trace guards the branch instead; see
 * {@link ConditionalCondModel} for the form that traces both branches.
 */
public final class ConditionalModel extends Module {
    @Override
    public Tensor forward(Tensor x) {
        // A boolean read: under a trace it becomes a guard on the boolean itself (kiln::guard(..., expected=true)),
        // so the traced graph fails loudly on an input whose sum is not positive instead of returning x * 2.
        if (x.sum().gt(0).itemBool()) {
            return x.mul(2);
        }
        return x.mul(3);
    }
}
