package dev.kiln.samples;

import dev.kiln.eager.Tensor;
import java.util.Arrays;

/**
 * How far an actual tensor is from an expected one, judged as {@code torch.allclose}: every element within
 * {@code atol + rtol * |expected|}, NaNs equal.
 *
 * @param maxAbsDiff  largest |actual − expected| (NaN-vs-NaN counts as 0)
 * @param worstIndex  flat index of the element furthest outside its tolerance (or of the max difference)
 * @param withinTolerance whether every element passes
 * @param problem     a human-readable reason for failure (shape or dtype mismatch, first bad element), or null
 */
public record Comparison(double maxAbsDiff, long worstIndex, boolean withinTolerance, String problem) {

    public static Comparison of(Tensor actual, Tensor expected, double rtol, double atol) {
        if (!Arrays.equals(actual.shape(), expected.shape())) {
            return new Comparison(Double.NaN, -1, false, "shape " + Arrays.toString(actual.shape())
                    + " but expected " + Arrays.toString(expected.shape()));
        }
        if (actual.dtype() != expected.dtype()) {
            return new Comparison(Double.NaN, -1, false, "dtype " + actual.dtype() + " but expected "
                    + expected.dtype());
        }
        double[] a = actual.toDoubleArray();
        double[] e = expected.toDoubleArray();
        double maxDiff = 0;
        double worstExcess = Double.NEGATIVE_INFINITY;
        long worst = -1;
        for (int i = 0; i < a.length; i++) {
            boolean bothNaN = Double.isNaN(a[i]) && Double.isNaN(e[i]);
            double diff = bothNaN || a[i] == e[i] ? 0 : Math.abs(a[i] - e[i]);
            if (Double.isNaN(diff)) diff = Double.POSITIVE_INFINITY;
            if (diff > maxDiff) maxDiff = diff;
            double excess = diff - (atol + rtol * Math.abs(e[i]));
            if (excess > worstExcess) {
                worstExcess = excess;
                worst = i;
            }
        }
        boolean ok = a.length == 0 || worstExcess <= 0;
        String problem = ok ? null : "element " + worst + " is " + a[(int) worst] + " but expected " + e[(int) worst]
                + " (|diff| " + Math.abs(a[(int) worst] - e[(int) worst]) + " > atol " + atol + " + rtol " + rtol
                + " * |expected|)";
        return new Comparison(maxDiff, worst, ok, problem);
    }
}
