package dev.kiln.eager.nn;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Tensor;

/** Mean squared error, as {@code torch.nn.MSELoss}: {@code forward(input, target)}. */
public class MSELoss extends Module {
    private final Reduction reduction;

    public MSELoss() { this(Reduction.MEAN); }

    public MSELoss(Reduction reduction) { this.reduction = reduction; }

    public Tensor forward(Tensor input, Tensor target) { return Losses.mseLoss(input, target, reduction); }

    @Override
    public Object forward(Tensor... inputs) {
        if (inputs.length != 2) throw new KilnException("MSELoss.forward: expected (input, target), found "
                + inputs.length + " tensors");
        return forward(inputs[0], inputs[1]);
    }

    @Override
    public String toString() { return "MSELoss()"; }
}
