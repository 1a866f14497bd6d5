package dev.kiln.eager.nn;

import dev.kiln.eager.Tensor;

/**
 * 2-d average pooling over NCHW or CHW input, as {@code torch.nn.AvgPool2d}; the stride defaults to the kernel
 * size.
 */
public class AvgPool2d extends Module {
    private final int[] kernelSize;
    private final int[] stride;
    private final int[] padding;
    private final boolean ceilMode;
    private final boolean countIncludePad;

    public AvgPool2d(int kernelSize) { this(kernelSize, kernelSize); }

    public AvgPool2d(int kernelSize, int stride) { this(kernelSize, stride, 0); }

    public AvgPool2d(int kernelSize, int stride, int padding) {
        this(Args.pair(kernelSize), Args.pair(stride), Args.pair(padding), false, true);
    }

    /** Every array is {@code {height, width}}; a null stride means the kernel size. */
    public AvgPool2d(int[] kernelSize, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad) {
        this.kernelSize = Args.pair("AvgPool2d", "kernel_size", kernelSize, 1);
        this.stride = Args.pair("AvgPool2d", "stride", stride == null ? kernelSize : stride, 1);
        this.padding = Args.pair("AvgPool2d", "padding", padding, 0);
        this.ceilMode = ceilMode;
        this.countIncludePad = countIncludePad;
    }

    @Override
    public Tensor forward(Tensor input) {
        return F.avgPool2d(input, kernelSize, stride, padding, ceilMode, countIncludePad);
    }

    @Override
    public String toString() {
        return "AvgPool2d(kernel_size=" + Repr.pairOrInt(kernelSize) + ", stride=" + Repr.pairOrInt(stride)
                + ", padding=" + Repr.pairOrInt(padding) + ")";
    }
}
