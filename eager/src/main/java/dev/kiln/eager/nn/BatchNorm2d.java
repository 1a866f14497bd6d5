package dev.kiln.eager.nn;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.DType;
import java.util.Arrays;

/**
 * Batch normalisation over the channels of NCHW input, as {@code torch.nn.BatchNorm2d}.
 *
 * <p>State, in PyTorch's order: parameters {@code weight} (ones) and {@code bias} (zeros) when {@code affine},
 * buffers {@code running_mean} (zeros), {@code running_var} (ones) and {@code num_batches_tracked} (int64 0-d,
 * zero) when {@code trackRunningStats}; absent ones are registered as null so they stay out of the state dict.
 *
 * <p>In training mode with running statistics, each forward first increments {@code num_batches_tracked} (in
 * place, as PyTorch's {@code add_(1)}) and the kernel updates the running buffers with {@code momentum}; a null
 * momentum means a cumulative average (factor {@code 1/num_batches_tracked}). Without running statistics the
 * batch statistics are used in both modes.
 */
public class BatchNorm2d extends Module {
    private final int numFeatures;
    private final double eps;
    private final Double momentum;

    public BatchNorm2d(int numFeatures) { this(numFeatures, 1e-5, 0.1, true, true); }

    public BatchNorm2d(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
        if (numFeatures <= 0) throw new KilnException("BatchNorm2d: expected num_features > 0, found " + numFeatures);
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.momentum = momentum;
        int[] shape = {numFeatures};
        registerParameter("weight", affine ? Init.constant(DType.FLOAT32, shape, 1) : null);
        registerParameter("bias", affine ? Init.constant(DType.FLOAT32, shape, 0) : null);
        registerBuffer("running_mean", trackRunningStats ? Init.constant(DType.FLOAT32, shape, 0) : null);
        registerBuffer("running_var", trackRunningStats ? Init.constant(DType.FLOAT32, shape, 1) : null);
        registerBuffer("num_batches_tracked", trackRunningStats ? Tensor.empty(DType.INT64) : null);
    }

    public int numFeatures() { return numFeatures; }

    public double eps() { return eps; }

    /** The momentum, or null for a cumulative moving average. */
    public Double momentum() { return momentum; }

    public boolean affine() { return param("weight") != null; }

    public boolean trackRunningStats() { return buffer("running_mean") != null; }

    @Override
    public Tensor forward(Tensor input) {
        if (input.dim() != 4) {
            throw new KilnException("BatchNorm2d: expected 4D input (N, C, H, W), found " + input.dim()
                    + "D input of shape " + Arrays.toString(input.shape()));
        }
        double factor = momentum == null ? 0.0 : momentum;
        boolean track = trackRunningStats();
        if (isTraining() && track) {
            Tensor count = buffer("num_batches_tracked");
            long n = ++count.storage().longs()[count.storageOffset()];
            if (momentum == null) factor = 1.0 / n;
        }
        // Batch statistics when training, or when there are no running statistics to use.
        boolean useBatchStats = isTraining() || !track;
        return F.batchNorm(input, buffer("running_mean"), buffer("running_var"), param("weight"), param("bias"),
                useBatchStats, factor, eps);
    }

    @Override
    public String toString() {
        return "BatchNorm2d(" + numFeatures + ", eps=" + Repr.pyFloat(eps) + ", momentum="
                + (momentum == null ? "None" : Repr.pyFloat(momentum))
                + ", affine=" + Repr.bool(affine()) + ", track_running_stats=" + Repr.bool(trackRunningStats()) + ")";
    }
}
