package dev.kiln.eager.nn;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Tensor;

/**
 * Cross entropy of logits against class indices, as {@code torch.nn.CrossEntropyLoss} (log_softmax followed by
 * the negative log likelihood); see {@link Losses#crossEntropy}. Probability targets and label smoothing are not
 * supported.
 */
public class CrossEntropyLoss extends Module {
    private final Tensor weight;
    private final long ignoreIndex;
    private final Reduction reduction;

    public CrossEntropyLoss() { this(null, -100, Reduction.MEAN); }

    /** {@code weight}: per-class weights [C] or null. */
    public CrossEntropyLoss(Tensor weight, long ignoreIndex, Reduction reduction) {
        this.weight = weight;
        this.ignoreIndex = ignoreIndex;
        this.reduction = reduction;
        registerBuffer("weight", weight);
    }

    public Tensor forward(Tensor input, Tensor target) {
        return Losses.crossEntropy(input, target, weight, ignoreIndex, reduction);
    }

    @Override
    public Object forward(Tensor... inputs) {
        if (inputs.length != 2) throw new KilnException("CrossEntropyLoss.forward: expected (input, target), found "
                + inputs.length + " tensors");
        return forward(inputs[0], inputs[1]);
    }

    @Override
    public String toString() { return "CrossEntropyLoss()"; }
}
