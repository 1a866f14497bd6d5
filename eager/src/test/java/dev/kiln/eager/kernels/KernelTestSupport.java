package dev.kiln.eager.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Storage;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.DType;
import java.util.Random;
import org.junit.jupiter.api.function.Executable;

/** Inputs and float64 reference checks shared by the kernel tests. */
final class KernelTestSupport {
    private KernelTestSupport() {}

    static double[] random(long seed, int n, double lo, double hi) {
        Random r = new Random(seed);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) out[i] = lo + (hi - lo) * r.nextDouble();
        return out;
    }

    /** Values exactly representable in float32 (so float and double inputs carry the same numbers). */
    static double[] randomFloats(long seed, int n, double lo, double hi) {
        double[] v = random(seed, n, lo, hi);
        for (int i = 0; i < n; i++) v[i] = (float) v[i];
        return v;
    }

    static float[] toFloats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return f;
    }

    /** A contiguous tensor of {@code dtype} holding {@code v} (converted as a C cast). */
    static Tensor tensor(DType dtype, double[] v, long... shape) {
        Storage s = Storage.allocate(dtype, v.length);
        for (int i = 0; i < v.length; i++) s.setDouble(i, v[i]);
        return Tensor.wrap(s.array(), shape.length == 0 ? new long[] {v.length} : shape);
    }

    /**
     * A non-contiguous [rows, cols] view whose logical row-major values are {@code v}: stored column-major after
     * three padding elements, so both the strides and the offset are unusual.
     */
    static Tensor transposed(DType dtype, double[] v, int rows, int cols) {
        Storage s = Storage.allocate(dtype, v.length + 3);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) s.setDouble(3 + c * rows + r, v[r * cols + c]);
        }
        return Tensor.fromStorage(s, new int[] {rows, cols}, new int[] {1, rows}, 3);
    }

    /** Every element within {@code atol + rtol·|expected|}; NaN matches NaN and infinities match exactly. */
    static void assertClose(double[] expected, Tensor actual, double rtol, double atol) {
        double[] got = actual.toDoubleArray();
        assertEquals(expected.length, got.length, "element count");
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            double g = got[i];
            if (Double.isNaN(e)) {
                assertTrue(Double.isNaN(g), "element " + i + ": expected NaN, got " + g);
            } else if (Double.isInfinite(e)) {
                assertEquals(e, g, "element " + i);
            } else if (!(Math.abs(g - e) <= atol + rtol * Math.abs(e))) {
                fail("element " + i + ": expected " + e + ", got " + g + " (diff " + Math.abs(g - e) + ")");
            }
        }
    }

    static void assertShape(Tensor t, long... shape) { assertArrayEquals(shape, t.shape(), "shape"); }

    /** The call fails with a {@link KilnException} whose message contains every fragment. */
    static KilnException assertFails(Executable call, String... fragments) {
        KilnException e = assertThrows(KilnException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' should mention '" + f + "'");
        }
        return e;
    }

    /** Row-major index of a multi-index in a shape. */
    static int flat(int[] shape, int... idx) {
        int p = 0;
        for (int d = 0; d < shape.length; d++) p = p * shape[d] + idx[d];
        return p;
    }
}
