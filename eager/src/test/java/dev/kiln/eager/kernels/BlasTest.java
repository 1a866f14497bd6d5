package dev.kiln.eager.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.eager.Parallel;
import org.bytedeco.openblas.global.openblas;
import org.junit.jupiter.api.Test;

/** The BLAS binding itself: operand layouts, offsets, scratch sizes and the thread-count link. */
class BlasTest {
    private final GemmOracle data = new GemmOracle(1);

    private float[] rand(int n) { return data.rand(n); }

    private static double ref(Matrix a, Matrix b, int i, int j) { return GemmOracle.ref(a, b, i, j); }

    @Test
    void everyLayoutAndOffsetGivesTheSameProduct() {
        float[] store = rand(4000);
        int m = 5;
        int k = 7;
        int n = 3;
        Matrix[] as = {
            new Matrix(store, 11, m, k, k, 1),        // row-major, bulk copy
            new Matrix(store, 100, m, k, k + 4, 1),   // row-major with gaps: one copy per row
            new Matrix(store, 200, m, k, 1, m),       // transposed contiguous view: CblasTrans
            new Matrix(store, 300, m, k, 1, m + 2),   // column-major with gaps
            new Matrix(store, 400, m, k, 2 * k, 2),   // neither: gathered
            new Matrix(store, 500, m, k, 0, 1),       // broadcast rows (stride 0)
        };
        Matrix b = new Matrix(store, 3000, k, n, 1, k); // transposed too
        for (Matrix a : as) {
            float[] c = new float[50];
            c[9] = 42;
            Blas.gemm(a, b, c, 10);
            assertEquals(42f, c[9], "must not write before the block");
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double r = ref(a, b, i, j);
                    assertEquals(r, c[10 + i * n + j], 1e-5 * (Math.abs(r) + k), "layout " + a);
                }
            }
            for (int i = 10 + m * n; i < 50; i++) assertEquals(0f, c[i], "must not write after the block");
        }
    }

    @Test
    void operandsBiggerThanTheKeptScratchAreHandled() {
        int k = Blas.KEEP_ELEMENTS + 1000;
        float[] a = rand(k);
        float[] b = rand(k);
        double dot = 0;
        double abs = 0;
        for (int i = 0; i < k; i++) {
            dot += (double) a[i] * b[i];
            abs += Math.abs((double) a[i] * b[i]);
        }
        float[] c = new float[1];
        Blas.gemm(new Matrix(a, 0, 1, k, k, 1), new Matrix(b, 0, k, 1, 1, 1), c, 0);
        assertEquals(dot, c[0], 1e-5 * abs);
        // And the next small call still works on fresh scratch.
        Blas.gemm(new Matrix(a, 0, 1, 2, 2, 1), new Matrix(b, 0, 2, 1, 1, 1), c, 0);
        assertEquals((double) a[0] * b[0] + (double) a[1] * b[1], c[0], 1e-6);
    }

    @Test
    void integerAndDoubleOperands() {
        long[] a = {1, 2, 3, 4};
        long[] c = new long[4];
        Blas.gemm(new Matrix(a, 0, 2, 2, 2, 1), new Matrix(a, 0, 2, 2, 1, 2), c, 0);
        assertArrayEquals(new long[] {5, 11, 11, 25}, c); // A · A^T
        double[] d = {1, 2, 3, 4};
        double[] cd = new double[4];
        Blas.gemm(new Matrix(d, 0, 2, 2, 1, 2), new Matrix(d, 0, 2, 2, 2, 1), cd, 0);
        assertArrayEquals(new double[] {10, 14, 14, 20}, cd); // A^T · A
    }

    @Test
    void openBlasStaysSingleThreadedWhateverParallelSays() {
        Blas.gemm(new Matrix(new float[1], 0, 1, 1, 1, 1), new Matrix(new float[1], 0, 1, 1, 1, 1), new float[1], 0);
        int before = Parallel.numThreads();
        try {
            Parallel.setNumThreads(2);
            assertEquals(1, openblas.blas_get_num_threads());
            Parallel.setNumThreads(1);
            assertEquals(1, openblas.blas_get_num_threads());
        } finally {
            Parallel.setNumThreads(before);
        }
    }

    @Test
    void largeProductsSplitOverTwoThreadsInEveryLayout() {
        int before = Parallel.numThreads();
        Parallel.setNumThreads(2);
        try {
            // m >= n: split by rows; m < n: split by columns. Both above SPLIT_FMAS, with ragged last blocks.
            int[][] shapes = {{300, 150, 100}, {40, 1100, 210}};
            for (int[] sh : shapes) {
                int m = sh[0];
                int k = sh[1];
                int n = sh[2];
                assertTrue((long) m * n * k >= Blas.SPLIT_FMAS);
                float[] sa = rand(m * k + 3);
                float[] sb = rand(k * n + 5);
                Matrix[] as = {new Matrix(sa, 3, m, k, k, 1), new Matrix(sa, 3, m, k, 1, m)};
                Matrix[] bs = {new Matrix(sb, 5, k, n, n, 1), new Matrix(sb, 5, k, n, 1, k)};
                for (Matrix a : as) {
                    for (Matrix b : bs) {
                        float[] c = new float[m * n];
                        Blas.gemm(a, b, c, 0);
                        for (int i = 0; i < m; i += 7) {
                            for (int j = 0; j < n; j++) {
                                double r = ref(a, b, i, j);
                                assertEquals(r, c[i * n + j], 1e-5 * (Math.abs(r) + k), a + " x " + b + " at " + i + "," + j);
                            }
                        }
                        int last = m - 1;
                        for (int j = 0; j < n; j++) {
                            double r = ref(a, b, last, j);
                            assertEquals(r, c[last * n + j], 1e-5 * (Math.abs(r) + k), "last row");
                        }
                    }
                }
            }
        } finally {
            Parallel.setNumThreads(before);
        }
    }
}
