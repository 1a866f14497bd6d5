package dev.kiln.eager.kernels;

import dev.kiln.ir.DType;

/**
 * Copies one strided row of elements between two primitive arrays, converting the element type.
 *
 * <p>There is one implementation per (source dtype, destination dtype) pair, each a plain loop over concrete array
 * types, so that every loop stays monomorphic and C2 can compile it tightly. Conversions are those of a C cast as
 * PyTorch performs them: floats to integers truncate toward zero (to int32 through int64, as {@code Storage} does),
 * anything to bool is {@code value != 0} (NaN is true), bool to numbers is 0 or 1, int64 to float32 rounds once.
 */
@FunctionalInterface
interface RowCopy {
    /**
     * Copies {@code n} elements: source element {@code srcPos + i * srcStep} to destination element
     * {@code dstPos + i * dstStep}. The arrays are the dtypes' Java arrays ({@code float[]}, ...).
     */
    void copy(Object src, int srcPos, int srcStep, Object dst, int dstPos, int dstStep, int n);

    /** The row copier from {@code from} elements to {@code to} elements. */
    static RowCopy of(DType from, DType to) { return Table.TABLE[from.ordinal()][to.ordinal()]; }

    /** The 5 × 5 table of loops, built once. */
    final class Table {
        private static final RowCopy[][] TABLE = build();

        private Table() {}

        private static RowCopy[][] build() {
            DType[] types = DType.values();
            RowCopy[][] t = new RowCopy[types.length][types.length];
            for (DType from : types) {
                for (DType to : types) t[from.ordinal()][to.ordinal()] = from == to ? same(from) : convert(from, to);
            }
            return t;
        }

        /** Same dtype: one {@code System.arraycopy} when both rows are dense, else a typed strided loop. */
        private static RowCopy same(DType type) {
            RowCopy strided = switch (type) {
                case FLOAT32 -> (s, sp, ss, d, dp, ds, n) -> {
                    float[] a = (float[]) s;
                    float[] b = (float[]) d;
                    for (int i = 0; i < n; i++) b[dp + i * ds] = a[sp + i * ss];
                };
                case FLOAT64 -> (s, sp, ss, d, dp, ds, n) -> {
                    double[] a = (double[]) s;
                    double[] b = (double[]) d;
                    for (int i = 0; i < n; i++) b[dp + i * ds] = a[sp + i * ss];
                };
                case INT32 -> (s, sp, ss, d, dp, ds, n) -> {
                    int[] a = (int[]) s;
                    int[] b = (int[]) d;
                    for (int i = 0; i < n; i++) b[dp + i * ds] = a[sp + i * ss];
                };
                case INT64 -> (s, sp, ss, d, dp, ds, n) -> {
                    long[] a = (long[]) s;
                    long[] b = (long[]) d;
                    for (int i = 0; i < n; i++) b[dp + i * ds] = a[sp + i * ss];
                };
                case BOOL -> (s, sp, ss, d, dp, ds, n) -> {
                    boolean[] a = (boolean[]) s;
                    boolean[] b = (boolean[]) d;
                    for (int i = 0; i < n; i++) b[dp + i * ds] = a[sp + i * ss];
                };
            };
            return (s, sp, ss, d, dp, ds, n) -> {
                if (ss == 1 && ds == 1) System.arraycopy(s, sp, d, dp, n);
                else strided.copy(s, sp, ss, d, dp, ds, n);
            };
        }

        private static RowCopy convert(DType from, DType to) {
            return switch (from) {
                case FLOAT32 -> fromFloat(to);
                case FLOAT64 -> fromDouble(to);
                case INT32 -> fromInt(to);
                case INT64 -> fromLong(to);
                case BOOL -> fromBool(to);
            };
        }

        private static RowCopy fromFloat(DType to) {
            return switch (to) {
                case FLOAT64 -> (s, sp, ss, d, dp, ds, n) -> {
                    float[] a = (float[]) s;
                    double[] b = (double[]) d;
                    for (int i = 0; i < n; i++) b[dp + i * ds] = a[sp + i * ss];
                };
                case INT32 -> (s, sp, ss, d, dp, ds, n) -> {
                    float[] a = (float[]) s;
                    int[] b = (int[]) d;
                    for (int i = 0; i < n; i++) b[dp + i * ds] = (int) (long) a[sp + i * ss];
                };
                case INT64 -> (s, sp, ss, d, dp, ds, n) -> {
                    float[] a = (float[]) s;
                    long[] b = (long[]) d;
                    for (int i = 0; i < n; i++) b[dp + i * ds] = (long) a[sp + i * ss];
                };
                case BOOL -> (s, sp, ss, d, dp, ds, n) -> {
                    float[] a = (float[]) s;
                    boolean[] b = (boolean[]) d;
                    for (int i = 0; i < n; i++) b[dp + i * ds] = a[sp + i * ss] != 0;
                };
                case FLOAT32 -> throw new AssertionError("same dtype");
            };
        }

        private static RowCopy fromDouble(DType to) {
            return switch (to) {
                case FLOAT32 -> (s, sp, ss, d, dp, ds, n) -> {
                    double[] a = (double[]) s;
                    float[] b = (float[]) d;
                    for (int i = 0; i < n; i++) b[dp + i * ds] = (float) a[sp + i * ss];
                };
                case INT32 -> (s, sp, ss, d, dp, ds, n) -> {
                    double[] a = (double[]) s;
                    int[] b = (int[]) d;
                    for (int i = 0; i < n; i++) b[dp + i * ds] = (int) (long) a[sp + i * ss];
                };
                case INT64 -> (s, sp, ss, d, dp, ds, n) -> {
                    double[] a = (double[]) s;
                    long[] b = (long[]) d;
                    for (int i = 0; i < n; i++) b[dp + i * ds] = (long) a[sp + i * ss];
                };
                case BOOL -> (s, sp, ss, d, dp, ds, n) -> {
                    double[] a = (double[]) s;
                    boolean[] b = (boolean[]) d;
                    for (int i = 0; i < n; i++) b[dp + i * ds] = a[sp + i * ss] != 0;
                };
                case FLOAT64 -> throw new AssertionError("same dtype");
            };
        }

        private static RowCopy fromInt(DType to) {
            return switch (to) {
                case FLOAT32 -> (s, sp, ss, d, dp, ds, n) -> {
                    int[] a = (int[]) s;
                    float[] b = (float[]) d;
                    for (int i = 0; i < n; i++) b[dp + i * ds] = a[sp + i * ss];
                };
                case FLOAT64 -> (s, sp, ss, d, dp, ds, n) -> {
                    int[] a = (int[]) s;
                    double[] b = (double[]) d;
                    for (int i = 0; i < n; i++) b[dp + i * ds] = a[sp + i * ss];
                };
                case INT64 -> (s, sp, ss, d, dp, ds, n) -> {
                    int[] a = (int[]) s;
                    long[] b = (long[]) d;
                    for (int i = 0; i < n; i++) b[dp + i * ds] = a[sp + i * ss];
                };
                case BOOL -> (s, sp, ss, d, dp, ds, n) -> {
                    int[] a = (int[]) s;
                    boolean[] b = (boolean[]) d;
                    for (int i = 0; i < n; i++) b[dp + i * ds] = a[sp + i * ss] != 0;
                };
                case INT32 -> throw new AssertionError("same dtype");
            };
        }

        private static RowCopy fromLong(DType to) {
            return switch (to) {
                case FLOAT32 -> (s, sp, ss, d, dp, ds, n) -> {
                    long[] a = (long[]) s;
                    float[] b = (float[]) d;
                    for (int i = 0; i < n; i++) b[dp + i * ds] = a[sp + i * ss];
                };
                case FLOAT64 -> (s, sp, ss, d, dp, ds, n) -> {
                    long[] a = (long[]) s;
                    double[] b = (double[]) d;
                    for (int i = 0; i < n; i++) b[dp + i * ds] = a[sp + i * ss];
                };
                case INT32 -> (s, sp, ss, d, dp, ds, n) -> {
                    long[] a = (long[]) s;
                    int[] b = (int[]) d;
                    for (int i = 0; i < n; i++) b[dp + i * ds] = (int) a[sp + i * ss];
                };
                case BOOL -> (s, sp, ss, d, dp, ds, n) -> {
                    long[] a = (long[]) s;
                    boolean[] b = (boolean[]) d;
                    for (int i = 0; i < n; i++) b[dp + i * ds] = a[sp + i * ss] != 0;
                };
                case INT64 -> throw new AssertionError("same dtype");
            };
        }

        private static RowCopy fromBool(DType to) {
            return switch (to) {
                case FLOAT32 -> (s, sp, ss, d, dp, ds, n) -> {
                    boolean[] a = (boolean[]) s;
                    float[] b = (float[]) d;
                    for (int i = 0; i < n; i++) b[dp + i * ds] = a[sp + i * ss] ? 1f : 0f;
                };
                case FLOAT64 -> (s, sp, ss, d, dp, ds, n) -> {
                    boolean[] a = (boolean[]) s;
                    double[] b = (double[]) d;
                    for (int i = 0; i < n; i++) b[dp + i * ds] = a[sp + i * ss] ? 1.0 : 0.0;
                };
                case INT32 -> (s, sp, ss, d, dp, ds, n) -> {
                    boolean[] a = (boolean[]) s;
                    int[] b = (int[]) d;
                    for (int i = 0; i < n; i++) b[dp + i * ds] = a[sp + i * ss] ? 1 : 0;
                };
                case INT64 -> (s, sp, ss, d, dp, ds, n) -> {
                    boolean[] a = (boolean[]) s;
                    long[] b = (long[]) d;
                    for (int i = 0; i < n; i++) b[dp + i * ds] = a[sp + i * ss] ? 1L : 0L;
                };
                case BOOL -> throw new AssertionError("same dtype");
            };
        }
    }
}
