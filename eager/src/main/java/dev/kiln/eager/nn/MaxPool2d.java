package dev.kiln.eager.nn;

import dev.kiln.eager.Tensor;

/** 2-d max pooling over NCHW or CHW input, as {@code torch.nn.MaxPool2d}; the stride defaults to the kernel size. */
public class MaxPool2d extends Module {
    private final int[] kernelSize;
    private final int[] stride;
    private final int[] padding;
    private final int[] dilation;
    private final boolean ceilMode;

    public MaxPool2d(int kernelSize) { this(kernelSize, kernelSize); }

    public MaxPool2d(int kernelSize, int stride) { this(kernelSize, stride, 0); }

    public MaxPool2d(int kernelSize, int stride, int padding) {
        this(Args.pair(kernelSize), Args.pair(stride), Args.pair(padding), Args.pair(1), false);
    }

    /** Every array is {@code {height, width}}; a null stride means the kernel size. */
    public MaxPool2d(int[] kernelSize, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        this.kernelSize = Args.pair("MaxPool2d", "kernel_size", kernelSize, 1);
        this.stride = Args.pair("MaxPool2d", "stride", stride == null ? kernelSize : stride, 1);
        this.padding = Args.pair("MaxPool2d", "padding", padding, 0);
        this.dilation = Args.pair("MaxPool2d", "dilation", dilation, 1);
        this.ceilMode = ceilMode;
    }

    @Override
    public Tensor forward(Tensor input) {
        return F.maxPool2d(input, kernelSize, stride, padding, dilation, ceilMode);
    }

    @Override
    public String toString() {
        return "MaxPool2d(kernel_size=" + Repr.pairOrInt(kernelSize) + ", stride=" + Repr.pairOrInt(stride)
                + ", padding=" + Repr.pairOrInt(padding) + ", dilation=" + Repr.pairOrInt(dilation) + ", ceil_mode="
                + Repr.bool(ceilMode) + ")";
    }
}
