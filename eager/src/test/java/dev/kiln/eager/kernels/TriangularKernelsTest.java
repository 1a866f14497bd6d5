package dev.kiln.eager.kernels;

import static dev.kiln.eager.kernels.TestTensors.assertFails;
import static dev.kiln.eager.kernels.TestTensors.assertFreshContiguous;
import static dev.kiln.eager.kernels.TestTensors.iota;
import static dev.kiln.eager.kernels.TestTensors.strided;
import static dev.kiln.eager.kernels.TestTensors.unravel;
import static dev.kiln.eager.kernels.TestTensors.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.eager.Tensor;
import dev.kiln.ir.DType;
import org.junit.jupiter.api.Test;

/** triu/tril: element (i, j) of each matrix kept iff j - i ≥ k (triu) or j - i ≤ k (tril), else zero. */
class TriangularKernelsTest {

    private static void assertTriangle(Tensor in, Tensor out, long k, boolean upper) {
        assertArrayEquals(in.intShape(), out.intShape());
        assertEquals(in.dtype(), out.dtype());
        assertFreshContiguous(out);
        int rank = in.dim();
        for (int n = 0; n < in.numel(); n++) {
            long[] idx = unravel(n, in.intShape());
            long i = idx[rank - 2];
            long j = idx[rank - 1];
            boolean keep = upper ? j - i >= k : j - i <= k;
            assertEquals(keep ? in.getDouble(idx) : 0.0, out.getDouble(idx), "k=" + k + " at " + n);
        }
    }

    @Test
    void everyDiagonalAndDType() {
        for (DType dtype : DType.values()) {
            Tensor x = iota(dtype, 2, 3, 4);
            for (long k = -4; k <= 5; k++) {
                assertTriangle(x, x.triu(k), k, true);
                assertTriangle(x, x.tril(k), k, false);
            }
        }
    }

    @Test
    void nonContiguousAndExtremeDiagonals() {
        Tensor x = strided(DType.FLOAT64, 60, new int[] {4, 3}, new int[] {1, 5}, 11);
        for (long k = -3; k <= 3; k++) {
            assertTriangle(x, x.triu(k), k, true);
            assertTriangle(x, x.tril(k), k, false);
        }
        assertTriangle(x, x.triu(Long.MAX_VALUE), Long.MAX_VALUE, true);
        assertTriangle(x, x.tril(Long.MIN_VALUE), Long.MIN_VALUE, false);
        assertArrayEquals(values(x), values(x.triu(Long.MIN_VALUE)));
        assertArrayEquals(values(x), values(x.tril(Long.MAX_VALUE)));
        Tensor t = iota(DType.INT64, 3, 5).transpose(0, 1); // [5, 3]
        assertTriangle(t, t.triu(1), 1, true);
        assertTriangle(t, t.tril(-1), -1, false);
    }

    @Test
    void largeBatchSplitAcrossThreads() {
        Tensor x = iota(DType.FLOAT64, 3, 200, 300);
        assertTriangle(x, x.triu(-17), -17, true);
        assertTriangle(x, x.tril(40), 40, false);
    }

    @Test
    void emptyAndErrors() {
        assertArrayEquals(new int[] {2, 0, 3}, Tensor.empty(DType.FLOAT32, 2, 0, 3).triu(0).intShape());
        assertArrayEquals(new int[] {3, 0}, Tensor.empty(DType.BOOL, 3, 0).tril(0).intShape());
        assertFails(() -> iota(3).triu(0), "aten::triu", "'self'", "at least 2 dimensions", "found 1");
        assertFails(() -> Tensor.scalarTensor(1, DType.FLOAT32).tril(0), "aten::tril", "'self'", "found 0");
    }

    @Test
    void inputIsNotModified() {
        Tensor x = iota(3, 3);
        double[] before = values(x);
        x.triu(0);
        x.tril(0);
        assertArrayEquals(before, values(x));
    }
}
