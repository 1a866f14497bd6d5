package dev.kiln.eager.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The plain-Java GEMM that runs small float products before OpenBLAS is loaded ({@link NativeBlas}), against
 * float64 sums of the same operands, and the dispatch policy once OpenBLAS is loaded.
 */
class JavaGemmTest {
    private final GemmOracle data = new GemmOracle(7);

    private float[] rand(int n) { return data.rand(n); }

    private static double ref(Matrix a, Matrix b, int i, int j) { return GemmOracle.ref(a, b, i, j); }

    @Test
    void floatProductsInEveryLayoutMatchFloat64() {
        float[] store = rand(4000);
        int m = 5;
        int k = 9;
        int n = 6;
        Matrix[] as = {
            new Matrix(store, 11, m, k, k, 1),        // row-major
            new Matrix(store, 100, m, k, k + 4, 1),   // row-major with gaps
            new Matrix(store, 200, m, k, 1, m),       // transposed view
            new Matrix(store, 400, m, k, 2 * k, 2),   // neither
            new Matrix(store, 500, m, k, 0, 1),       // broadcast rows (stride 0)
        };
        Matrix[] bs = {
            new Matrix(store, 3000, k, n, n, 1),      // row-major: the contiguous inner loop
            new Matrix(store, 3100, k, n, 1, k),      // transposed view (a linear's weight)
            new Matrix(store, 3300, k, n, 0, 1),      // broadcast
        };
        for (Matrix a : as) {
            for (Matrix b : bs) {
                float[] c = new float[60];
                c[9] = 42;
                JavaGemm.gemm(a, b, c, 10);
                assertEquals(42f, c[9], "must not write before the block");
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double r = ref(a, b, i, j);
                        assertEquals(r, c[10 + i * n + j], 1e-6 * (Math.abs(r) + k), a + " x " + b);
                    }
                }
                for (int i = 10 + m * n; i < 60; i++) assertEquals(0f, c[i], "must not write after the block");
            }
        }
    }

    @Test
    void doubleProductsMatchAndEmptyInnerSizeGivesZeros() {
        double[] d = new double[200];
        for (int i = 0; i < d.length; i++) d[i] = Math.sin(i);
        Matrix a = new Matrix(d, 3, 4, 7, 7, 1);
        Matrix b = new Matrix(d, 50, 7, 3, 1, 7);
        double[] c = new double[12];
        JavaGemm.gemm(a, b, c, 0);
        for (int i = 0; i < 4; i++) for (int j = 0; j < 3; j++) assertEquals(ref(a, b, i, j), c[i * 3 + j], 1e-12);
        float[] cf = {5, 5, 5, 5};
        JavaGemm.gemm(new Matrix(new float[0], 0, 2, 0, 0, 1), new Matrix(new float[0], 0, 0, 2, 2, 1), cf, 0);
        for (float v : cf) assertEquals(0f, v);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JavaGemm.gemm(a, new Matrix(d, 0, 6, 3, 3, 1), c, 0));
        assertTrue(e.getMessage().contains("inner sizes 7 and 6"), e.getMessage());
    }

    @Test
    void cblasFormWithTransposeBetaAndLeadingDimensions() {
        int m = 7;
        int n = 5;
        int k = 11;
        for (boolean bTrans : new boolean[] {false, true}) {
            for (float beta : new float[] {0f, 1f, 0.5f}) {
                int lda = k + 3;
                int ldb = (bTrans ? k : n) + 2;
                int ldc = n + 4;
                float[] a = rand(2 + m * lda);
                float[] b = rand(1 + (bTrans ? n : k) * ldb);
                float[] c = rand(3 + m * ldc);
                float[] before = c.clone();
                JavaGemm.sgemm(m, n, k, a, 2, lda, b, 1, ldb, bTrans, beta, c, 3, ldc);
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double s = 0;
                        for (int p = 0; p < k; p++) {
                            s += (double) a[2 + i * lda + p] * (bTrans ? b[1 + j * ldb + p] : b[1 + p * ldb + j]);
                        }
                        s += beta * (double) before[3 + i * ldc + j];
                        assertEquals(s, c[3 + i * ldc + j], 1e-5 * (Math.abs(s) + k), "bTrans " + bTrans + " beta " + beta);
                    }
                    // The gaps between rows of C are not written.
                    for (int j = n; j < ldc && 3 + i * ldc + j < c.length; j++) {
                        assertEquals(before[3 + i * ldc + j], c[3 + i * ldc + j], "gap of row " + i);
                    }
                }
            }
        }
    }

    @Test
    void onceOpenBlasIsLoadedEveryProductIsNative() {
        NativeBlas.load();
        assertTrue(NativeBlas.loaded());
        assertFalse(NativeBlas.useJava(1));
        assertFalse(NativeBlas.useJava(NativeBlas.JAVA_MAX_FMAS + 1));
    }
}
