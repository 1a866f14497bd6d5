package dev.kiln.eager.kernels;

import dev.kiln.eager.Shapes;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.DType;

/**
 * Conversions between strided tensors and dense row-major arrays, for kernels that want plain indexing.
 * These never go through the dispatcher (they are part of kernels, not ops) and never modify their input.
 */
final class Dense {
    private Dense() {}

    /** {@code t} itself when it is contiguous, else a fresh contiguous copy of the same dtype. */
    /**
     * The result tensor of a {@link dev.kiln.eager.Kernel.Into} kernel: a contiguous tensor over {@code into} when
     * {@code dtype} is float32 and {@code into} has exactly the shape's element count (its contents are garbage:
     * the kernel must write every element), else a fresh zero-filled tensor.
     */
    static Tensor resultInto(float[] into, DType dtype, int[] shape) {
        if (into != null && dtype == DType.FLOAT32 && into.length == Shapes.numel(shape)) {
            return Tensor.wrap(into, Shapes.toLongs(shape));
        }
        return Tensor.empty(dtype, shape);
    }

    /** {@link #resultInto}'s test: whether {@code into} is to hold a float32 result of {@code n} elements. */
    static boolean fits(float[] into, long n) { return into != null && into.length == n; }

    static Tensor contiguous(Tensor t) {
        return t.isContiguous() ? t : Copy.contiguous(t);
    }

    /** The elements of {@code t} in row-major order as doubles (a fresh array). */
    static double[] toDoubles(Tensor t) {
        Tensor c = contiguous(t);
        int n = (int) c.numel();
        int off = c.storageOffset();
        double[] out = new double[n];
        switch (c.dtype()) {
            case FLOAT32 -> { float[] a = c.storage().floats(); for (int i = 0; i < n; i++) out[i] = a[off + i]; }
            case FLOAT64 -> System.arraycopy(c.storage().doubles(), off, out, 0, n);
            case INT32 -> { int[] a = c.storage().ints(); for (int i = 0; i < n; i++) out[i] = a[off + i]; }
            case INT64 -> { long[] a = c.storage().longs(); for (int i = 0; i < n; i++) out[i] = a[off + i]; }
            case BOOL -> { boolean[] a = c.storage().bools(); for (int i = 0; i < n; i++) out[i] = a[off + i] ? 1 : 0; }
        }
        return out;
    }

    /** A fresh contiguous floating tensor of {@code dtype} and {@code shape} holding {@code data} (rounded). */
    static Tensor fromDoubles(DType dtype, int[] shape, double[] data) {
        if (dtype == DType.FLOAT64) return Tensor.wrap(data, Shapes.toLongs(shape));
        if (dtype != DType.FLOAT32) throw new IllegalArgumentException("fromDoubles: floating dtypes only, got " + dtype);
        float[] f = new float[data.length];
        for (int i = 0; i < f.length; i++) f[i] = (float) data[i];
        return Tensor.wrap(f, Shapes.toLongs(shape));
    }

    /**
     * The stride of dims {@code [from, to]} of a tensor merged into one dim, or -1 when they cannot be merged
     * without a copy. Size-1 dims are ignored; when every dim is size 1 the result is 1.
     */
    static int mergedStride(int[] shape, int[] strides, int from, int to) {
        int inner = -1;
        long expected = -1;
        for (int d = to; d >= from; d--) {
            if (shape[d] == 1) continue;
            if (inner < 0) {
                inner = strides[d];
            } else if (strides[d] != expected) {
                return -1;
            }
            expected = (long) strides[d] * shape[d];
        }
        return inner < 0 ? 1 : inner;
    }
}
