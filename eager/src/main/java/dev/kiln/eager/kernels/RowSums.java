package dev.kiln.eager.kernels;

/**
 * Double-precision sums over one row of float32 values: {@code Σ x} ({@code sum}'s rows in {@code SumReduction},
 * {@code layer_norm}'s mean) and {@code Σ (x - mean)²} ({@code layer_norm}'s variance). Each sum runs in four
 * interleaved partial sums (elements {@code i ≡ 0, 1, 2, 3 mod 4}), the elements past the last multiple of 4 go into
 * the first, and the four are added as {@code (s0 + s1) + (s2 + s3)}.
 *
 * <p>Why: one accumulator makes every addition wait for the previous one (4 cycles on current x86 cores), so a
 * 64-value row of {@code layer_norm} took ~500 cycles for its two sums; four chains overlap. The order differs
 * from a plain left-to-right double sum, so results may differ from the float64 path's in the last bits of a
 * double, which the final rounding to float almost always hides.
 */
final class RowSums {
    private RowSums() {}

    /** {@code Σ x[base + i]} for {@code i < d}, in double. */
    static double sum(float[] x, int base, int d) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = 0;
        for (; i + 3 < d; i += 4) {
            s0 += x[base + i];
            s1 += x[base + i + 1];
            s2 += x[base + i + 2];
            s3 += x[base + i + 3];
        }
        for (; i < d; i++) s0 += x[base + i];
        return (s0 + s1) + (s2 + s3);
    }

    /** {@code Σ (x[base + i] - mean)²} for {@code i < d}, in double. */
    static double squaredDeviations(float[] x, int base, int d, double mean) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = 0;
        for (; i + 3 < d; i += 4) {
            double a = x[base + i] - mean;
            double b = x[base + i + 1] - mean;
            double c = x[base + i + 2] - mean;
            double e = x[base + i + 3] - mean;
            s0 += a * a;
            s1 += b * b;
            s2 += c * c;
            s3 += e * e;
        }
        for (; i < d; i++) {
            double a = x[base + i] - mean;
            s0 += a * a;
        }
        return (s0 + s1) + (s2 + s3);
    }
}
