package dev.kiln.eager.nn;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Tensor;

/**
 * Sigmoid followed by binary cross entropy, computed stably from the logits, as {@code torch.nn.BCEWithLogitsLoss};
 * see {@link Losses#binaryCrossEntropyWithLogits}.
 */
public class BCEWithLogitsLoss extends Module {
    private final Tensor weight;
    private final Tensor posWeight;
    private final Reduction reduction;

    public BCEWithLogitsLoss() { this(null, null, Reduction.MEAN); }

    /** {@code weight} (broadcast over elements) and {@code posWeight} (per class) may be null. */
    public BCEWithLogitsLoss(Tensor weight, Tensor posWeight, Reduction reduction) {
        this.weight = weight;
        this.posWeight = posWeight;
        this.reduction = reduction;
        registerBuffer("weight", weight);
        registerBuffer("pos_weight", posWeight);
    }

    public Tensor forward(Tensor input, Tensor target) {
        return Losses.binaryCrossEntropyWithLogits(input, target, weight, posWeight, reduction);
    }

    @Override
    public Object forward(Tensor... inputs) {
        if (inputs.length != 2) throw new KilnException("BCEWithLogitsLoss.forward: expected (input, target), found "
                + inputs.length + " tensors");
        return forward(inputs[0], inputs[1]);
    }

    @Override
    public String toString() { return "BCEWithLogitsLoss()"; }
}
