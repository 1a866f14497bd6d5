package dev.kiln.eager;

import dev.kiln.ir.DType;

/**
 * The memory behind one or more tensors: a Java primitive array of the storage's dtype.
 *
 * <p>Kiln keeps tensor data on the Java heap ({@code float[]}, {@code double[]}, {@code int[]}, {@code long[]},
 * {@code boolean[]}): HotSpot's C2 vectorises loops over heap arrays, which the generated code relies on; see
 * {@code docs/storage.md} for the measurements behind the choice. A storage therefore holds at most
 * {@code Integer.MAX_VALUE} elements.
 *
 * <p>Invariant: {@code data} is an array of exactly the Java type {@link #dtype()} prescribes. Views share one
 * storage; writing through one view is seen by all.
 */
public final class Storage {
    private final DType dtype;
    private final Object data;
    private final int length;

    private Storage(DType dtype, Object data, int length) {
        this.dtype = dtype;
        this.data = data;
        this.length = length;
    }

    /** A zero-filled storage of {@code length} elements. */
    public static Storage allocate(DType dtype, long length) {
        if (length < 0 || length > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("cannot allocate " + length + " elements of " + dtype
                    + ": a Kiln storage holds between 0 and " + (Integer.MAX_VALUE - 8) + " elements");
        }
        int n = (int) length;
        Object data = switch (dtype) {
            case FLOAT32 -> new float[n];
            case FLOAT64 -> new double[n];
            case INT32 -> new int[n];
            case INT64 -> new long[n];
            case BOOL -> new boolean[n];
        };
        return new Storage(dtype, data, n);
    }

    /** Wraps an existing array without copying; its Java type decides the dtype. */
    public static Storage wrap(Object array) {
        if (array instanceof float[] a) return new Storage(DType.FLOAT32, a, a.length);
        if (array instanceof double[] a) return new Storage(DType.FLOAT64, a, a.length);
        if (array instanceof int[] a) return new Storage(DType.INT32, a, a.length);
        if (array instanceof long[] a) return new Storage(DType.INT64, a, a.length);
        if (array instanceof boolean[] a) return new Storage(DType.BOOL, a, a.length);
        throw new IllegalArgumentException("Storage.wrap: expected float[], double[], int[], long[] or boolean[], got "
                + (array == null ? "null" : array.getClass().getSimpleName()));
    }

    public DType dtype() { return dtype; }

    /** Number of elements. */
    public int length() { return length; }

    /** The backing array (one of float[], double[], int[], long[], boolean[]). */
    public Object array() { return data; }

    public float[] floats() { return (float[]) checked(DType.FLOAT32); }

    public double[] doubles() { return (double[]) checked(DType.FLOAT64); }

    public int[] ints() { return (int[]) checked(DType.INT32); }

    public long[] longs() { return (long[]) checked(DType.INT64); }

    public boolean[] bools() { return (boolean[]) checked(DType.BOOL); }

    private Object checked(DType expected) {
        if (dtype != expected) {
            throw new IllegalStateException("storage holds " + dtype + ", not " + expected);
        }
        return data;
    }

    /** Element {@code i} converted to double (booleans are 0 or 1). Slow path: for tests and scalar access. */
    public double getDouble(int i) {
        return switch (dtype) {
            case FLOAT32 -> ((float[]) data)[i];
            case FLOAT64 -> ((double[]) data)[i];
            case INT32 -> ((int[]) data)[i];
            case INT64 -> ((long[]) data)[i];
            case BOOL -> ((boolean[]) data)[i] ? 1 : 0;
        };
    }

    /** Element {@code i} converted to long (floats truncate toward zero). */
    public long getLong(int i) {
        return switch (dtype) {
            case FLOAT32 -> (long) ((float[]) data)[i];
            case FLOAT64 -> (long) ((double[]) data)[i];
            case INT32 -> ((int[]) data)[i];
            case INT64 -> ((long[]) data)[i];
            case BOOL -> ((boolean[]) data)[i] ? 1 : 0;
        };
    }

    /** Stores {@code v} at {@code i}, converted to this storage's dtype as a C cast would (bool: v != 0). */
    public void setDouble(int i, double v) {
        switch (dtype) {
            case FLOAT32 -> ((float[]) data)[i] = (float) v;
            case FLOAT64 -> ((double[]) data)[i] = v;
            case INT32 -> ((int[]) data)[i] = (int) (long) v;
            case INT64 -> ((long[]) data)[i] = (long) v;
            case BOOL -> ((boolean[]) data)[i] = v != 0;
        }
    }

    /** Stores {@code v} at {@code i}, converted to this storage's dtype. */
    public void setLong(int i, long v) {
        switch (dtype) {
            case FLOAT32 -> ((float[]) data)[i] = (float) v;
            case FLOAT64 -> ((double[]) data)[i] = (double) v;
            case INT32 -> ((int[]) data)[i] = (int) v;
            case INT64 -> ((long[]) data)[i] = v;
            case BOOL -> ((boolean[]) data)[i] = v != 0;
        }
    }
}
