package dev.kiln.eager.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.eager.Tensor;
import dev.kiln.ir.DType;
import org.junit.jupiter.api.Test;

/** Cody's erf and the exact GELU built on it, against a 60-digit series. */
class ErfTest {
    @Test
    void erfMatchesHighPrecisionSeriesAcrossAllThreeIntervals() {
        double worst = 0;
        for (int i = -600; i <= 600; i++) {
            double x = i / 100.0; // covers |x| ≤ 0.46875, ≤ 4 and > 4
            double ref = HighPrecision.erf(x);
            double got = Erf.erf(x);
            if (ref != 0) worst = Math.max(worst, Math.abs(got - ref) / Math.abs(ref));
        }
        assertTrue(worst < 1e-14, "max relative error " + worst);
    }

    @Test
    void erfcKeepsRelativeAccuracyInTheTail() {
        for (double x : new double[] {0.3, 1.0, 3.0, 4.5, 6.0}) {
            double ref = 1.0 - HighPrecision.erf(new java.math.BigDecimal(x)).doubleValue();
            // 1 - erf in double cancels; compare the complement computed in BigDecimal instead.
            double refTail = java.math.BigDecimal.ONE.subtract(HighPrecision.erf(new java.math.BigDecimal(x)))
                    .doubleValue();
            assertEquals(refTail, Erf.erfc(x), Math.abs(refTail) * 1e-13, "erfc(" + x + ")");
            assertEquals(2 - refTail, Erf.erfc(-x), 1e-15, "erfc(" + (-x) + ")");
            assertEquals(ref, 1.0 - Erf.erf(x), 1e-15);
        }
    }

    @Test
    void erfSpecialValues() {
        assertEquals(0.0, Erf.erf(0.0));
        assertEquals(Double.doubleToLongBits(-0.0), Double.doubleToLongBits(Erf.erf(-0.0)));
        assertEquals(1.0, Erf.erf(Double.POSITIVE_INFINITY));
        assertEquals(-1.0, Erf.erf(Double.NEGATIVE_INFINITY));
        assertTrue(Double.isNaN(Erf.erf(Double.NaN)));
        assertEquals(0.0, Erf.erfc(30));
        assertEquals(2.0, Erf.erfc(-30));
        assertEquals(1e-20 * 2 / Math.sqrt(Math.PI), Erf.erf(1e-20), 1e-35);
    }

    @Test
    void exactGeluIsAccurateToOneMillionthRelativeInFloatAndFinerInDouble() {
        int n = 3201;
        double[] xs = new double[n];
        for (int i = 0; i < n; i++) xs[i] = (float) (-8.0 + 16.0 * i / (n - 1));
        double[] ref = new double[n];
        for (int i = 0; i < n; i++) ref[i] = HighPrecision.gelu(xs[i]);
        double[] f32 = KernelTestSupport.tensor(DType.FLOAT32, xs).gelu().toDoubleArray();
        double[] f64 = KernelTestSupport.tensor(DType.FLOAT64, xs).gelu().toDoubleArray();
        double worst32 = 0;
        double worst64 = 0;
        for (int i = 0; i < n; i++) {
            if (ref[i] == 0) {
                assertEquals(0.0, f32[i]);
                continue;
            }
            worst32 = Math.max(worst32, Math.abs(f32[i] - ref[i]) / Math.abs(ref[i]));
            worst64 = Math.max(worst64, Math.abs(f64[i] - ref[i]) / Math.abs(ref[i]));
        }
        assertTrue(worst32 <= 1e-6, "float32 max relative error " + worst32); // FastMath32.gelu: ≤ 5e-7
        assertTrue(worst64 <= 1e-13, "float64 max relative error " + worst64);
    }

    @Test
    void geluOfNonContiguousFloatInput() {
        double[] v = KernelTestSupport.randomFloats(3, 12, -4, 4);
        Tensor t = KernelTestSupport.transposed(DType.FLOAT32, v, 3, 4);
        double[] ref = new double[12];
        for (int i = 0; i < 12; i++) ref[i] = HighPrecision.gelu(v[i]);
        KernelTestSupport.assertClose(ref, t.gelu(), 1e-6, 1e-30);
    }
}
