package dev.kiln.eager.nn;

import dev.kiln.eager.Generator;
import dev.kiln.eager.Storage;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.DType;

/**
 * Parameter initialisation, as {@code torch.nn.init}, writing fresh tensors' storage directly from a
 * {@link Generator} (no dispatcher, so initialisation never depends on factory kernels nor shows up in a trace).
 *
 * <p>The distributions are PyTorch's; the random streams are Kiln's (see {@link Generator}), so models that must
 * match PyTorch numerically load PyTorch's weights. Elements are drawn in row-major order, one draw each, so a
 * seed fixes the values.
 */
public final class Init {
    private Init() {}

    /** A fresh contiguous floating tensor with elements uniform on [{@code low}, {@code high}). */
    public static Tensor uniform(DType dtype, int[] shape, double low, double high, Generator gen) {
        Tensor t = Tensor.empty(requireFloating(dtype), shape);
        Storage s = t.storage();
        for (int i = 0; i < s.length(); i++) s.setDouble(i, low + (high - low) * gen.nextUniform());
        return t;
    }

    /** A fresh contiguous floating tensor with elements normal with {@code mean} and standard deviation {@code std}. */
    public static Tensor normal(DType dtype, int[] shape, double mean, double std, Generator gen) {
        Tensor t = Tensor.empty(requireFloating(dtype), shape);
        Storage s = t.storage();
        for (int i = 0; i < s.length(); i++) s.setDouble(i, mean + std * gen.nextNormal());
        return t;
    }

    /** A fresh contiguous tensor with every element {@code value}. */
    public static Tensor constant(DType dtype, int[] shape, double value) {
        Tensor t = Tensor.empty(dtype, shape);
        if (value != 0) { // empty() is already zero-filled
            Storage s = t.storage();
            for (int i = 0; i < s.length(); i++) s.setDouble(i, value);
        }
        return t;
    }

    /**
     * The bound {@code 1/sqrt(fan_in)} of PyTorch's default Linear/Conv initialisation: its
     * {@code kaiming_uniform_(w, a=sqrt(5))} has bound {@code gain * sqrt(3 / fan_in)} with
     * {@code gain = sqrt(2 / (1 + 5))}, which is exactly {@code 1/sqrt(fan_in)}; the bias uses the same bound.
     * Zero when {@code fanIn} is 0 (PyTorch leaves such tensors empty or all zero).
     */
    public static double defaultBound(long fanIn) {
        return fanIn > 0 ? 1.0 / Math.sqrt(fanIn) : 0.0;
    }

    private static DType requireFloating(DType dtype) {
        if (!dtype.isFloatingPoint()) {
            throw new IllegalArgumentException("random initialisation: expected a floating dtype, found " + dtype);
        }
        return dtype;
    }
}
