package dev.kiln.ir.graph;

import dev.kiln.ir.DType;
import java.util.Arrays;

/**
 * The raw contents of a constant tensor: dtype, static shape and a row-major primitive array ({@code boolean[]},
 * {@code int[]}, {@code long[]}, {@code float[]} or {@code double[]} for bool, i32, i64, f32, f64).
 *
 * <p>Immutable: arrays are copied in and out. Equality is by dtype, shape and element bits (so NaN equals NaN).
 */
public final class TensorData {
    private final DType dtype;
    private final long[] shape;
    private final Object data;

    private TensorData(DType dtype, long[] shape, Object data) {
        this.dtype = dtype;
        this.shape = shape;
        this.data = data;
    }

    /** Wraps a copy of {@code array}, whose element type must match {@code dtype}. */
    public static TensorData of(DType dtype, long[] shape, Object array) {
        long n = 1;
        for (long s : shape) {
            if (s < 0) throw new IllegalArgumentException("negative size in " + Arrays.toString(shape));
            n *= s;
        }
        int len = java.lang.reflect.Array.getLength(array);
        Class<?> expected = switch (dtype) {
            case BOOL -> boolean[].class;
            case INT32 -> int[].class;
            case INT64 -> long[].class;
            case FLOAT32 -> float[].class;
            case FLOAT64 -> double[].class;
        };
        if (array.getClass() != expected || len != n) {
            throw new IllegalArgumentException("tensor data for " + dtype.irName() + Arrays.toString(shape)
                    + " expects " + expected.getSimpleName() + " of length " + n + ", found "
                    + array.getClass().getSimpleName() + " of length " + len);
        }
        return new TensorData(dtype, shape.clone(), copy(array));
    }

    /** A 0-d tensor holding {@code value}. */
    public static TensorData scalar(double value) { return of(DType.FLOAT64, new long[0], new double[] {value}); }

    public static TensorData scalar(long value) { return of(DType.INT64, new long[0], new long[] {value}); }

    public static TensorData scalar(boolean value) { return of(DType.BOOL, new long[0], new boolean[] {value}); }

    public DType dtype() { return dtype; }

    public long[] shape() { return shape.clone(); }

    public int numel() { return java.lang.reflect.Array.getLength(data); }

    /** A copy of the elements as the primitive array of the dtype. */
    public Object array() { return copy(data); }

    /** Element {@code i} (row-major) as a boxed {@link Boolean}, {@link Long} or {@link Double}. */
    public Object element(int i) {
        if (data instanceof boolean[] a) return a[i];
        if (data instanceof int[] a) return (long) a[i];
        if (data instanceof long[] a) return a[i];
        if (data instanceof float[] a) return (double) a[i];
        return ((double[]) data)[i];
    }

    /**
     * Element {@code i} as IR text: {@code true}, {@code 3}, and for floats the shortest decimal that reads back to
     * the same float (f32 via {@link Float#toString}), e.g. {@code 1.5}, {@code 1.0E-5}, {@code NaN}.
     */
    public String elementText(int i) {
        if (data instanceof float[] a) return Float.toString(a[i]);
        return String.valueOf(element(i));
    }

    private static Object copy(Object a) {
        if (a instanceof boolean[] x) return x.clone();
        if (a instanceof int[] x) return x.clone();
        if (a instanceof long[] x) return x.clone();
        if (a instanceof float[] x) return x.clone();
        return ((double[]) a).clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorData t && t.dtype == dtype && Arrays.equals(t.shape, shape)
                && Arrays.deepEquals(new Object[] {t.data}, new Object[] {data});
    }

    @Override
    public int hashCode() { return 31 * Arrays.hashCode(shape) + Arrays.deepHashCode(new Object[] {data}); }

    @Override
    public String toString() { return dtype.irName() + Arrays.toString(shape) + " constant"; }
}
