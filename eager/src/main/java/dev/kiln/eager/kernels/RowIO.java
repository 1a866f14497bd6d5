package dev.kiln.eager.kernels;

import dev.kiln.eager.Storage;

/**
 * Typed row loads and stores between tensor storage of any dtype and the two compute domains of the generic
 * kernels: {@code double} (floating dtypes) and {@code long} (integral and bool dtypes).
 *
 * <p>Each method is one tight loop per source dtype, so the per-element {@code switch} on the dtype is paid once
 * per row. Loads convert as C++ casts do, then round to the compute dtype (float32, int32) so that an operand
 * of a wider dtype behaves as if first cast to the compute dtype, as ATen's TensorIterator does.
 */
final class RowIO {
    private RowIO() {}

    /** Elements per buffered chunk: small enough for L1, large enough to amortise the per-chunk dispatch. */
    static final int CHUNK = 1024;

    /** Per-thread scratch rows for the buffered kernels; never shared across threads. */
    static final class Scratch {
        final double[][] d = new double[4][CHUNK];
        final long[][] l = new long[4][CHUNK];
        final float[][] f = new float[3][CHUNK];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    static Scratch scratch() { return SCRATCH.get(); }

    /**
     * Reads {@code n} elements from {@code off} by {@code step} as doubles; with {@code asFloat} each value is
     * rounded to float32 first (the compute dtype is float32).
     */
    static void loadDouble(Storage s, int off, int step, int n, double[] buf, boolean asFloat) {
        switch (s.dtype()) {
            case FLOAT32 -> {
                float[] a = s.floats();
                for (int i = 0; i < n; i++) buf[i] = a[off + i * step];
            }
            case FLOAT64 -> {
                double[] a = s.doubles();
                if (asFloat) for (int i = 0; i < n; i++) buf[i] = (float) a[off + i * step];
                else for (int i = 0; i < n; i++) buf[i] = a[off + i * step];
            }
            case INT32 -> {
                int[] a = s.ints();
                if (asFloat) for (int i = 0; i < n; i++) buf[i] = (float) a[off + i * step];
                else for (int i = 0; i < n; i++) buf[i] = a[off + i * step];
            }
            case INT64 -> {
                long[] a = s.longs();
                if (asFloat) for (int i = 0; i < n; i++) buf[i] = (float) a[off + i * step];
                else for (int i = 0; i < n; i++) buf[i] = (double) a[off + i * step];
            }
            case BOOL -> {
                boolean[] a = s.bools();
                for (int i = 0; i < n; i++) buf[i] = a[off + i * step] ? 1.0 : 0.0;
            }
        }
    }

    /**
     * Reads {@code n} integral or bool elements as longs; with {@code asInt} each value wraps to int32 first.
     * Floating storage is not accepted: floats reach the long domain only through {@link #storeDouble}.
     */
    static void loadLong(Storage s, int off, int step, int n, long[] buf, boolean asInt) {
        switch (s.dtype()) {
            case INT32 -> {
                int[] a = s.ints();
                for (int i = 0; i < n; i++) buf[i] = a[off + i * step];
            }
            case INT64 -> {
                long[] a = s.longs();
                if (asInt) for (int i = 0; i < n; i++) buf[i] = (int) a[off + i * step];
                else for (int i = 0; i < n; i++) buf[i] = a[off + i * step];
            }
            case BOOL -> {
                boolean[] a = s.bools();
                for (int i = 0; i < n; i++) buf[i] = a[off + i * step] ? 1L : 0L;
            }
            case FLOAT32, FLOAT64 -> throw new IllegalStateException(
                    "loadLong: " + s.dtype() + " storage reached the integer domain; cast it first");
        }
    }

    /** Writes {@code n} doubles contiguously at {@code off}, converting as a C++ cast (bool: v != 0, NaN is true). */
    static void storeDouble(double[] buf, Storage s, int off, int n) {
        switch (s.dtype()) {
            case FLOAT32 -> {
                float[] a = s.floats();
                for (int i = 0; i < n; i++) a[off + i] = (float) buf[i];
            }
            case FLOAT64 -> System.arraycopy(buf, 0, s.doubles(), off, n);
            case INT32 -> {
                int[] a = s.ints();
                for (int i = 0; i < n; i++) a[off + i] = (int) buf[i];
            }
            case INT64 -> {
                long[] a = s.longs();
                for (int i = 0; i < n; i++) a[off + i] = (long) buf[i];
            }
            case BOOL -> {
                boolean[] a = s.bools();
                for (int i = 0; i < n; i++) a[off + i] = buf[i] != 0;
            }
        }
    }

    /** Writes {@code n} longs contiguously at {@code off}, converting as a C++ cast (int32 wraps; bool: v != 0). */
    static void storeLong(long[] buf, Storage s, int off, int n) {
        switch (s.dtype()) {
            case FLOAT32 -> {
                float[] a = s.floats();
                for (int i = 0; i < n; i++) a[off + i] = (float) buf[i];
            }
            case FLOAT64 -> {
                double[] a = s.doubles();
                for (int i = 0; i < n; i++) a[off + i] = (double) buf[i];
            }
            case INT32 -> {
                int[] a = s.ints();
                for (int i = 0; i < n; i++) a[off + i] = (int) buf[i];
            }
            case INT64 -> System.arraycopy(buf, 0, s.longs(), off, n);
            case BOOL -> {
                boolean[] a = s.bools();
                for (int i = 0; i < n; i++) a[off + i] = buf[i] != 0;
            }
        }
    }
}
