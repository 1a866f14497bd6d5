package dev.kiln.eager.nn;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Tensor;
import java.util.Arrays;

/**
 * The loss functions ({@code torch.nn.functional.mse_loss}, {@code cross_entropy},
 * {@code binary_cross_entropy_with_logits}), composed from catalogue ops so autograd differentiates them with
 * the ops' own rules.
 */
public final class Losses {
    private Losses() {}

    /** Squared error {@code (input - target)²}, reduced; the two broadcast. */
    public static Tensor mseLoss(Tensor input, Tensor target, Reduction reduction) {
        Tensor d = input.sub(target);
        return reduction.apply(d.mul(d));
    }

    /**
     * Cross entropy of logits {@code input} ({@code [N, C]}, {@code [N, C, d1, ...]} or unbatched {@code [C]})
     * against class indices {@code target} (int32/int64, the input's shape without the class dim): the negative
     * log-softmax at each target class, times the class {@code weight} (null: all 1). Targets equal to
     * {@code ignoreIndex} contribute nothing; {@link Reduction#MEAN} divides by the sum of the weights of the
     * targets that count, as PyTorch does.
     */
    public static Tensor crossEntropy(Tensor input, Tensor target, Tensor weight, long ignoreIndex,
                                      Reduction reduction) {
        int classDim = input.dim() == 1 ? 0 : 1;
        checkTargets(input, target, weight, classDim, ignoreIndex);
        long classes = input.size(classDim);
        long[] alongClasses = new long[input.dim()];
        Arrays.fill(alongClasses, 1);
        alongClasses[classDim] = classes;
        // hit[n, c, ...] = (c == target[n, ...]); no row hits for an ignored target.
        Tensor hit = Tensor.arange(classes).reshape(alongClasses).eq(target.unsqueeze(classDim));
        Tensor logProbs = input.logSoftmax(classDim);
        Tensor picked = Tensor.where(hit, logProbs, Tensor.scalar(0.0)).sum(classDim, false);
        Tensor counted = target.ne((double) ignoreIndex).to(input.dtype());
        Tensor w = weight == null ? counted
                : Tensor.where(hit, weight.reshape(alongClasses), Tensor.scalar(0.0)).sum(classDim, false).mul(counted);
        Tensor losses = picked.neg().mul(w);
        return switch (reduction) {
            case NONE -> losses;
            case SUM -> losses.sum();
            case MEAN -> losses.sum().div(w.sum());
        };
    }

    /**
     * Binary cross entropy of sigmoid(input) against {@code target} (probabilities, the input's shape), computed
     * from the logits stably: {@code (1 - y) x + (1 + (posWeight - 1) y) softplus(-x)}, which never exponentiates
     * a large positive number. {@code weight} (per element, broadcast) and {@code posWeight} (per class, the last
     * dim) may be null.
     */
    public static Tensor binaryCrossEntropyWithLogits(Tensor input, Tensor target, Tensor weight, Tensor posWeight,
                                                      Reduction reduction) {
        if (!Arrays.equals(input.shape(), target.shape())) {
            throw new KilnException("binary_cross_entropy_with_logits: argument 'target' expected the input's shape "
                    + Arrays.toString(input.shape()) + ", found " + Arrays.toString(target.shape()));
        }
        Tensor softplusNeg = input.neg().softplus(1, 20);                    // log(1 + e^-x) = -log σ(x)
        Tensor logWeight = posWeight == null ? null : posWeight.sub(1).mul(target).add(1);
        Tensor losses = target.rsub(1).mul(input).add(logWeight == null ? softplusNeg : logWeight.mul(softplusNeg));
        if (weight != null) losses = losses.mul(weight);
        return reduction.apply(losses);
    }

    private static void checkTargets(Tensor input, Tensor target, Tensor weight, int classDim, long ignoreIndex) {
        String op = "cross_entropy";
        if (!input.dtype().isFloatingPoint()) {
            throw new KilnException(op + ": argument 'input' expected floating logits, found " + input.dtype());
        }
        if (!target.dtype().isIntegral()) {
            throw new KilnException(op + ": argument 'target' expected class indices (int32 or int64), found "
                    + target.dtype() + " (probability targets are not supported)");
        }
        long[] expected = input.shape();
        long[] batchShape = new long[expected.length - 1];
        for (int d = 0, j = 0; d < expected.length; d++) if (d != classDim) batchShape[j++] = expected[d];
        if (!Arrays.equals(batchShape, target.shape())) {
            throw new KilnException(op + ": argument 'target' expected shape " + Arrays.toString(batchShape)
                    + " (the input's without the class dim), found " + Arrays.toString(target.shape()));
        }
        long classes = input.size(classDim);
        if (weight != null && (weight.dim() != 1 || weight.size(0) != classes)) {
            throw new KilnException(op + ": argument 'weight' expected shape [" + classes + "], found "
                    + Arrays.toString(weight.shape()));
        }
        for (long t : target.toLongArray()) {
            if (t != ignoreIndex && (t < 0 || t >= classes)) {
                throw new KilnException(op + ": argument 'target' expected class indices in [0, " + classes
                        + ") or the ignore index " + ignoreIndex + ", found " + t);
            }
        }
    }
}
