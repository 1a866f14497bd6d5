package dev.kiln.eager.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Shapes;
import dev.kiln.eager.Storage;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.DType;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.function.Executable;

/**
 * Test helpers: random inputs, non-contiguous views built with {@link Tensor#fromStorage}, element reads that
 * use only tensor geometry (no other kernels), and float64 reference comparison.
 */
final class KernelTesting {
    private KernelTesting() {}

    /** A contiguous float32 tensor of uniform values in [-1, 1). */
    static Tensor randF(Random r, int... shape) {
        float[] a = new float[(int) Shapes.numel(shape)];
        for (int i = 0; i < a.length; i++) a[i] = r.nextFloat() * 2 - 1;
        return Tensor.wrap(a, Shapes.toLongs(shape));
    }

    static Tensor randD(Random r, int... shape) {
        double[] a = new double[(int) Shapes.numel(shape)];
        for (int i = 0; i < a.length; i++) a[i] = r.nextDouble() * 2 - 1;
        return Tensor.wrap(a, Shapes.toLongs(shape));
    }

    /** A float32 tensor of {@code shape} laid out with its last two dims swapped in memory (a transposed view). */
    static Tensor transposedF(Random r, int... shape) {
        int n = shape.length;
        int[] stored = shape.clone();
        stored[n - 2] = shape[n - 1];
        stored[n - 1] = shape[n - 2];
        Tensor base = randF(r, stored);
        int[] st = Shapes.contiguousStrides(stored);
        int[] strides = st.clone();
        strides[n - 2] = st[n - 1];
        strides[n - 1] = st[n - 2];
        return Tensor.fromStorage(base.storage(), shape, strides, 0);
    }

    /**
     * A copy of {@code t} placed at offset {@code pad} of a bigger storage, with every dim's stride stretched by
     * {@code gap} extra elements per row of the last dim (so rows are not adjacent).
     */
    static Tensor offsetView(Tensor t, int pad, int gap) {
        int[] shape = t.intShape();
        int n = shape.length;
        int[] strides = new int[n];
        int s = 1;
        for (int d = n - 1; d >= 0; d--) {
            strides[d] = s;
            s *= Math.max(shape[d], 1) + (d == n - 1 ? gap : 0);
        }
        Storage st = Storage.allocate(t.dtype(), pad + (long) s + 7);
        for (int i = 0; i < st.length(); i++) st.setDouble(i, 1e9); // poison: must never be read
        Tensor v = Tensor.fromStorage(st, shape, strides, pad);
        double[] vals = values(t);
        int[] idx = new int[n];
        for (int i = 0; i < vals.length; i++) {
            int p = pad;
            for (int d = 0; d < n; d++) p += idx[d] * strides[d];
            st.setDouble(p, vals[i]);
            for (int d = n - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) break;
                idx[d] = 0;
            }
        }
        return v;
    }

    /** The elements of {@code t} in row-major order, read through its geometry only. */
    static double[] values(Tensor t) {
        int[] shape = t.intShape();
        int[] strides = t.strides();
        int n = (int) Shapes.numel(shape);
        double[] out = new double[n];
        int[] idx = new int[shape.length];
        for (int i = 0; i < n; i++) {
            int p = t.storageOffset();
            for (int d = 0; d < shape.length; d++) p += idx[d] * strides[d];
            out[i] = t.storage().getDouble(p);
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) break;
                idx[d] = 0;
            }
        }
        return out;
    }

    /**
     * Asserts shape and dtype, and that every element is within {@code rtol · scale[i]} (plus a tiny absolute
     * slack) of the float64 reference, where {@code scale[i]} is the sum of |terms| that made the element.
     */
    static void assertClose(Tensor actual, DType dtype, int[] shape, double[] ref, double[] scale, double rtol) {
        assertEquals(dtype, actual.dtype(), "dtype");
        assertArrayEquals(shape, actual.intShape(), "shape");
        assertTrue(actual.isContiguous(), "output must be contiguous");
        double[] got = values(actual);
        assertEquals(ref.length, got.length);
        for (int i = 0; i < ref.length; i++) {
            double tol = rtol * (scale == null ? Math.abs(ref[i]) : scale[i]) + 1e-12;
            if (Double.isNaN(ref[i])) {
                assertTrue(Double.isNaN(got[i]), "element " + i + ": expected NaN, got " + got[i]);
                continue;
            }
            if (!(Math.abs(got[i] - ref[i]) <= tol)) {
                throw new AssertionError("element " + i + " of " + Arrays.toString(shape) + ": expected " + ref[i]
                        + " ± " + tol + ", got " + got[i]);
            }
        }
    }

    /** Asserts that {@code call} throws a KilnException whose message contains every fragment. */
    static KilnException assertFails(Executable call, String... fragments) {
        KilnException e = assertThrows(KilnException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' should mention '" + f + "'");
        }
        return e;
    }
}
