package dev.kiln.eager.nn;

import dev.kiln.eager.Generator;
import dev.kiln.eager.KilnException;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.DType;

/**
 * 2-d convolution over NCHW input, as {@code torch.nn.Conv2d} with zero padding: parameters {@code weight}
 * [out, in/groups, kH, kW] and {@code bias} [out] (absent when {@code bias} is false), both
 * U(-1/sqrt(fan_in), 1/sqrt(fan_in)) initially with {@code fan_in = in/groups * kH * kW}.
 *
 * <p>{@code new Conv2d(1, 6, 5)} and {@code new Conv2d(1, 6, 5, 1, 2)} cover the common cases; {@link #builder}
 * sets the rest by name: {@code Conv2d.builder(64, 64, 3).padding(1).bias(false).build()}.
 */
public class Conv2d extends Module {
    private final int inChannels;
    private final int outChannels;
    private final int[] kernelSize;
    private final int[] stride;
    private final int[] padding;
    private final int[] dilation;
    private final int groups;

    /** Stride 1, no padding. */
    public Conv2d(int inChannels, int outChannels, int kernelSize) {
        this(inChannels, outChannels, kernelSize, 1, 0);
    }

    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride, int padding) {
        this(inChannels, outChannels, Args.pair(kernelSize), Args.pair(stride), Args.pair(padding), Args.pair(1), 1,
                true, Generator.global());
    }

    /** The full form; every array is {@code {height, width}}. */
    public Conv2d(int inChannels, int outChannels, int[] kernelSize, int[] stride, int[] padding, int[] dilation,
                  int groups, boolean bias, Generator gen) {
        this.kernelSize = Args.pair("Conv2d", "kernel_size", kernelSize, 1);
        this.stride = Args.pair("Conv2d", "stride", stride, 1);
        this.padding = Args.pair("Conv2d", "padding", padding, 0);
        this.dilation = Args.pair("Conv2d", "dilation", dilation, 1);
        if (groups <= 0) throw new KilnException("Conv2d: expected groups > 0, found " + groups);
        if (inChannels <= 0 || inChannels % groups != 0) {
            throw new KilnException("Conv2d: expected in_channels positive and divisible by groups " + groups
                    + ", found " + inChannels);
        }
        if (outChannels <= 0 || outChannels % groups != 0) {
            throw new KilnException("Conv2d: expected out_channels positive and divisible by groups " + groups
                    + ", found " + outChannels);
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.groups = groups;
        int[] wShape = {outChannels, inChannels / groups, this.kernelSize[0], this.kernelSize[1]};
        double bound = Init.defaultBound((long) wShape[1] * wShape[2] * wShape[3]);
        registerParameter("weight", Init.uniform(DType.FLOAT32, wShape, -bound, bound, gen));
        registerParameter("bias",
                bias ? Init.uniform(DType.FLOAT32, new int[] {outChannels}, -bound, bound, gen) : null);
    }

    /** A builder starting from stride 1, padding 0, dilation 1, one group, with bias, the global generator. */
    public static Builder builder(int inChannels, int outChannels, int kernelSize) {
        return new Builder(inChannels, outChannels, Args.pair(kernelSize));
    }

    public static Builder builder(int inChannels, int outChannels, int kernelHeight, int kernelWidth) {
        return new Builder(inChannels, outChannels, new int[] {kernelHeight, kernelWidth});
    }

    public Tensor weight() { return param("weight"); }

    /** The bias, or null when the layer has none. */
    public Tensor bias() { return param("bias"); }

    public int inChannels() { return inChannels; }

    public int outChannels() { return outChannels; }

    public int[] kernelSize() { return kernelSize.clone(); }

    public int[] stride() { return stride.clone(); }

    public int[] padding() { return padding.clone(); }

    public int[] dilation() { return dilation.clone(); }

    public int groups() { return groups; }

    @Override
    public Tensor forward(Tensor input) {
        return F.conv2d(input, weight(), bias(), stride, padding, dilation, groups);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Conv2d(").append(inChannels).append(", ").append(outChannels)
                .append(", kernel_size=").append(Repr.tuple(kernelSize)).append(", stride=").append(Repr.tuple(stride));
        if (padding[0] != 0 || padding[1] != 0) sb.append(", padding=").append(Repr.tuple(padding));
        if (dilation[0] != 1 || dilation[1] != 1) sb.append(", dilation=").append(Repr.tuple(dilation));
        if (groups != 1) sb.append(", groups=").append(groups);
        if (bias() == null) sb.append(", bias=False");
        return sb.append(")").toString();
    }

    /** Named optional arguments of {@link Conv2d}. */
    public static final class Builder {
        private final int inChannels;
        private final int outChannels;
        private final int[] kernelSize;
        private int[] stride = Args.pair(1);
        private int[] padding = Args.pair(0);
        private int[] dilation = Args.pair(1);
        private int groups = 1;
        private boolean bias = true;
        private Generator generator = Generator.global();

        private Builder(int inChannels, int outChannels, int[] kernelSize) {
            this.inChannels = inChannels;
            this.outChannels = outChannels;
            this.kernelSize = kernelSize;
        }

        public Builder stride(int s) { return stride(s, s); }

        public Builder stride(int h, int w) { stride = new int[] {h, w}; return this; }

        public Builder padding(int p) { return padding(p, p); }

        public Builder padding(int h, int w) { padding = new int[] {h, w}; return this; }

        public Builder dilation(int d) { return dilation(d, d); }

        public Builder dilation(int h, int w) { dilation = new int[] {h, w}; return this; }

        public Builder groups(int g) { groups = g; return this; }

        public Builder bias(boolean b) { bias = b; return this; }

        public Builder generator(Generator g) { generator = g; return this; }

        public Conv2d build() {
            return new Conv2d(inChannels, outChannels, kernelSize, stride, padding, dilation, groups, bias, generator);
        }
    }
}
