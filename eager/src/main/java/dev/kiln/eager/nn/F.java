package dev.kiln.eager.nn;

import dev.kiln.eager.Dispatcher;
import dev.kiln.eager.Generator;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.Attrs;
import dev.kiln.ir.Op;

/**
 * Functional forms of the neural-network ops, as {@code torch.nn.functional} (imported as {@code F}).
 * Each method is one op through the {@link Dispatcher}.
 */
public final class F {
    private F() {}

    /** {@code y = x W^T + b}; {@code bias} may be null. */
    public static Tensor linear(Tensor input, Tensor weight, Tensor bias) {
        return Dispatcher.call1(Op.LINEAR, input, weight, bias);
    }

    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation,
                                int groups) {
        return Dispatcher.call1(Op.CONV2D, Attrs.of(Op.CONV2D).set("stride", stride).set("padding", padding)
                .set("dilation", dilation).set("groups", groups).build(), input, weight, bias);
    }

    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias) {
        return Dispatcher.call1(Op.CONV2D, input, weight, bias);
    }

    /** Max pooling; {@code stride} null means the kernel size. */
    public static Tensor maxPool2d(Tensor input, int[] kernelSize, int[] stride, int[] padding, int[] dilation,
                                   boolean ceilMode) {
        return Dispatcher.call1(Op.MAX_POOL2D, Attrs.of(Op.MAX_POOL2D).set("kernel_size", kernelSize)
                .set("stride", stride == null ? kernelSize : stride).set("padding", padding)
                .set("dilation", dilation).set("ceil_mode", ceilMode).build(), input);
    }

    public static Tensor maxPool2d(Tensor input, int kernelSize) {
        int[] k = {kernelSize, kernelSize};
        return maxPool2d(input, k, k, new int[] {0, 0}, new int[] {1, 1}, false);
    }

    public static Tensor avgPool2d(Tensor input, int[] kernelSize, int[] stride, int[] padding, boolean ceilMode,
                                   boolean countIncludePad) {
        return Dispatcher.call1(Op.AVG_POOL2D, Attrs.of(Op.AVG_POOL2D).set("kernel_size", kernelSize)
                .set("stride", stride == null ? kernelSize : stride).set("padding", padding)
                .set("ceil_mode", ceilMode).set("count_include_pad", countIncludePad).build(), input);
    }

    public static Tensor avgPool2d(Tensor input, int kernelSize) {
        int[] k = {kernelSize, kernelSize};
        return avgPool2d(input, k, k, new int[] {0, 0}, false, true);
    }

    public static Tensor adaptiveAvgPool2d(Tensor input, int outH, int outW) {
        return Dispatcher.call1(Op.ADAPTIVE_AVG_POOL2D,
                Attrs.of(Op.ADAPTIVE_AVG_POOL2D).set("output_size", new int[] {outH, outW}).build(), input);
    }

    public static Tensor adaptiveAvgPool2d(Tensor input, int outputSize) {
        return adaptiveAvgPool2d(input, outputSize, outputSize);
    }

    /**
     * Batch normalisation over dim 1. In training mode uses batch statistics and updates the running buffers in
     * place (with {@code momentum}); in eval mode uses the running statistics. Any of the four tensors may be null.
     */
    public static Tensor batchNorm(Tensor input, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                   boolean training, double momentum, double eps) {
        return Dispatcher.call1(Op.BATCH_NORM, Attrs.of(Op.BATCH_NORM).set("training", training)
                .set("momentum", momentum).set("eps", eps).build(), input, weight, bias, runningMean, runningVar);
    }

    /** Normalises over the trailing {@code normalizedShape} dims; weight and bias may be null. */
    public static Tensor layerNorm(Tensor input, long[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        return Dispatcher.call1(Op.LAYER_NORM, Attrs.of(Op.LAYER_NORM).set("normalized_shape", normalizedShape)
                .set("eps", eps).build(), input, weight, bias);
    }

    /** Rows of {@code weight} picked by the int32/int64 {@code indices}. */
    public static Tensor embedding(Tensor indices, Tensor weight) {
        return Dispatcher.call1(Op.EMBEDDING, weight, indices);
    }

    /** Zeroes elements with probability {@code p} and scales the rest by 1/(1-p) when training; else a copy. */
    public static Tensor dropout(Tensor input, double p, boolean training) {
        return dropout(input, p, training, Generator.global());
    }

    public static Tensor dropout(Tensor input, double p, boolean training, Generator gen) {
        Attrs.Builder a = Attrs.of(Op.DROPOUT).set("p", p).set("train", training);
        if (training) a.set("seed", gen.nextSeed());
        return Dispatcher.call1(Op.DROPOUT, a.build(), input);
    }

    public static Tensor relu(Tensor x) { return x.relu(); }

    public static Tensor gelu(Tensor x) { return x.gelu(); }

    public static Tensor gelu(Tensor x, String approximate) { return x.gelu(approximate); }

    public static Tensor silu(Tensor x) { return x.silu(); }

    public static Tensor elu(Tensor x, double alpha) { return x.elu(alpha); }

    public static Tensor leakyRelu(Tensor x, double negativeSlope) { return x.leakyRelu(negativeSlope); }

    public static Tensor softplus(Tensor x, double beta, double threshold) { return x.softplus(beta, threshold); }

    public static Tensor hardtanh(Tensor x, double minVal, double maxVal) { return x.hardtanh(minVal, maxVal); }

    public static Tensor sigmoid(Tensor x) { return x.sigmoid(); }

    public static Tensor tanh(Tensor x) { return x.tanh(); }

    public static Tensor softmax(Tensor x, int dim) { return x.softmax(dim); }

    public static Tensor logSoftmax(Tensor x, int dim) { return x.logSoftmax(dim); }
}
