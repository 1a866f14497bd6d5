package dev.kiln.codegen.ptx.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.codegen.ptx.cuda.CudaAvailability;
import dev.kiln.codegen.ptx.cuda.CudaDevice;
import java.util.Random;

/** Shared pieces of the GPU tests: the skip rule, random data and comparison with a float64 reference. */
final class GpuTestSupport {
    private GpuTestSupport() {}

    /** Opens the device, or skips the calling test (JUnit assumption) where there is none. */
    static CudaDevice deviceOrSkip() {
        CudaAvailability.Status s = CudaAvailability.check();
        assumeTrue(s.available(), s::describe);
        return new CudaDevice();
    }

    static float[] random(long seed, int n, double lo, double hi) {
        Random r = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (lo + (hi - lo) * r.nextDouble());
        return a;
    }

    /** |actual - expected| <= atol + rtol |expected| elementwise, NaN only where expected is NaN. */
    static void assertClose(double[] expected, float[] actual, double atol, double rtol, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            double a = actual[i];
            if (Double.isNaN(e)) {
                if (!Double.isNaN(a)) throw new AssertionError(what + "[" + i + "]: expected NaN, found " + a);
                continue;
            }
            if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
                throw new AssertionError(what + "[" + i + "]: expected " + e + ", found " + a + " (atol " + atol + ", rtol " + rtol + ")");
            }
        }
    }

    /** erf by Simpson's rule on 2/sqrt(pi) exp(-t^2): a reference independent of the kernel's approximation. */
    static double erf(double x) {
        int n = 2000;
        double h = x / n;
        double s = 1 + Math.exp(-x * x);
        for (int i = 1; i < n; i++) s += (i % 2 == 1 ? 4 : 2) * Math.exp(-(i * h) * (i * h));
        return s * h / 3 * 2 / Math.sqrt(Math.PI);
    }
}
