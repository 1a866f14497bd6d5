package dev.kiln.eager.nn;

import dev.kiln.eager.Tensor;

/** Average pooling to a fixed output size {@code (H, W)}, as {@code torch.nn.AdaptiveAvgPool2d}. */
public class AdaptiveAvgPool2d extends Module {
    private final int[] outputSize;

    public AdaptiveAvgPool2d(int outputSize) { this(outputSize, outputSize); }

    public AdaptiveAvgPool2d(int outputHeight, int outputWidth) {
        this.outputSize = Args.pair("AdaptiveAvgPool2d", "output_size", new int[] {outputHeight, outputWidth}, 0);
    }

    public int[] outputSize() { return outputSize.clone(); }

    @Override
    public Tensor forward(Tensor input) { return F.adaptiveAvgPool2d(input, outputSize[0], outputSize[1]); }

    @Override
    public String toString() { return "AdaptiveAvgPool2d(output_size=" + Repr.pairOrInt(outputSize) + ")"; }
}
