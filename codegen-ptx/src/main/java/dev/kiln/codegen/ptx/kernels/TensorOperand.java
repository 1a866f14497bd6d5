package dev.kiln.codegen.ptx.kernels;

import dev.kiln.ir.DType;
import java.util.Arrays;

/**
 * How a kernel reads one input tensor: element type, and the element strides and storage offset that map a
 * coordinate of the kernel's iteration shape to an element of the buffer. Broadcast dims have stride 0, so one
 * operand form covers broadcasting, transposed views and slices alike.
 */
public record TensorOperand(DType dtype, long[] strides, long offset) {
    public TensorOperand {
        strides = strides.clone();
        if (offset < 0) throw new IllegalArgumentException("operand offset: expected >= 0, found " + offset);
        for (long s : strides) {
            if (s < 0) throw new IllegalArgumentException("operand strides: expected >= 0, found " + Arrays.toString(strides));
        }
    }

    /** A contiguous tensor of exactly the iteration shape. */
    public static TensorOperand contiguous(DType dtype, long[] shape) {
        return new TensorOperand(dtype, Strides.contiguous(shape), 0);
    }

    /**
     * A tensor of {@code shape} with {@code strides}, broadcast to {@code iterShape} by the usual right-aligned rule
     * (missing leading dims and size-1 dims get stride 0).
     */
    public static TensorOperand broadcast(DType dtype, long[] shape, long[] strides, long offset, long[] iterShape) {
        if (shape.length > iterShape.length) {
            throw new IllegalArgumentException("broadcast: operand rank " + shape.length + " exceeds iteration rank " + iterShape.length);
        }
        long[] out = new long[iterShape.length];
        int lead = iterShape.length - shape.length;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == iterShape[lead + d]) out[lead + d] = strides[d];
            else if (shape[d] == 1) out[lead + d] = 0;
            else throw new IllegalArgumentException("broadcast: operand shape " + Arrays.toString(shape)
                    + " does not broadcast to " + Arrays.toString(iterShape));
        }
        return new TensorOperand(dtype, out, offset);
    }

    /** The largest element index this operand touches over {@code iterShape} (0 for an empty shape). */
    public long maxElement(long[] iterShape) {
        long m = offset;
        for (int d = 0; d < iterShape.length; d++) m += Math.max(0, iterShape[d] - 1) * strides[d];
        return m;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorOperand t && t.dtype == dtype && t.offset == offset && Arrays.equals(t.strides, strides);
    }

    @Override
    public int hashCode() { return dtype.hashCode() * 31 + Arrays.hashCode(strides) + Long.hashCode(offset); }

    @Override
    public String toString() { return dtype.irName() + Arrays.toString(strides) + "+" + offset; }
}
