package dev.kiln.eager.kernels;

/**
 * Plain-Java GEMM: {@code C = A · B} with {@code C} a contiguous {@code m × n} block. It runs the integer dtypes,
 * which BLAS does not cover (integer arithmetic wraps as in C, and in PyTorch), and small float products while
 * OpenBLAS is not loaded ({@link NativeBlas}). Float sums accumulate in the element type, in order of {@code p}.
 */
public final class JavaGemm {
    private JavaGemm() {}

    /**
     * {@code c[cOff + i*n + j] = Σ_p a(i,p) · b(p,j)}; {@code c} is a {@code float[]}, {@code double[]},
     * {@code int[]} or {@code long[]} like the operands. A product with {@code k == 0} is zero.
     */
    static void gemm(Matrix a, Matrix b, Object c, int cOff) {
        int m = a.rows();
        int k = a.cols();
        int n = b.cols();
        if (b.rows() != k) throw new IllegalArgumentException("gemm: inner sizes " + k + " and " + b.rows());
        if (c instanceof int[] ci) {
            int[] ai = (int[]) a.array();
            int[] bi = (int[]) b.array();
            for (int i = 0; i < m; i++) {
                int row = cOff + i * n;
                for (int j = 0; j < n; j++) ci[row + j] = 0;
                // i-p-j order: the innermost loop walks a row of B and of C.
                for (int p = 0; p < k; p++) {
                    int aip = ai[a.index(i, p)];
                    int bp = b.index(p, 0);
                    for (int j = 0; j < n; j++) ci[row + j] += aip * bi[bp + j * b.colStride()];
                }
            }
        } else if (c instanceof long[] cl) {
            long[] al = (long[]) a.array();
            long[] bl = (long[]) b.array();
            for (int i = 0; i < m; i++) {
                int row = cOff + i * n;
                for (int j = 0; j < n; j++) cl[row + j] = 0;
                for (int p = 0; p < k; p++) {
                    long aip = al[a.index(i, p)];
                    int bp = b.index(p, 0);
                    for (int j = 0; j < n; j++) cl[row + j] += aip * bl[bp + j * b.colStride()];
                }
            }
        } else if (c instanceof float[] cf) {
            float[] af = (float[]) a.array();
            float[] bf = (float[]) b.array();
            for (int i = 0; i < m; i++) {
                int row = cOff + i * n;
                for (int j = 0; j < n; j++) cf[row + j] = 0;
                for (int p = 0; p < k; p++) {
                    float aip = af[a.index(i, p)];
                    int bp = b.index(p, 0);
                    int bs = b.colStride();
                    for (int j = 0; j < n; j++) cf[row + j] += aip * bf[bp + j * bs];
                }
            }
        } else if (c instanceof double[] cd) {
            double[] ad = (double[]) a.array();
            double[] bd = (double[]) b.array();
            for (int i = 0; i < m; i++) {
                int row = cOff + i * n;
                for (int j = 0; j < n; j++) cd[row + j] = 0;
                for (int p = 0; p < k; p++) {
                    double aip = ad[a.index(i, p)];
                    int bp = b.index(p, 0);
                    int bs = b.colStride();
                    for (int j = 0; j < n; j++) cd[row + j] += aip * bd[bp + j * bs];
                }
            }
        } else {
            throw new IllegalArgumentException("JavaGemm handles float[], double[], int[] and long[], got "
                    + c.getClass().getSimpleName());
        }
    }

    /**
     * {@code C = A · op(B) + beta · C} on row-major float arrays, the operand form of {@code cblas_sgemm} with
     * {@code alpha = 1}: {@code A} is {@code m × k} at {@code aOff} (leading dimension {@code lda}); {@code op(B)}
     * is {@code k × n}: {@code B} itself at {@code bOff} (leading dimension {@code ldb}) or, when {@code bTrans},
     * the transpose of an {@code n × k} matrix stored there; {@code C} is {@code m × n} at {@code cOff} (leading
     * dimension {@code ldc}), read only when {@code beta != 0}.
     */
    public static void sgemm(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             boolean bTrans, float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            int ai = aOff + i * lda;
            int ci = cOff + i * ldc;
            if (bTrans) {
                // Row i of A against row j of the stored n × k matrix: two contiguous runs.
                for (int j = 0; j < n; j++) {
                    int bj = bOff + j * ldb;
                    float s = 0;
                    for (int p = 0; p < k; p++) s += a[ai + p] * b[bj + p];
                    c[ci + j] = beta == 0 ? s : s + beta * c[ci + j];
                }
            } else {
                // i-p-j order: the innermost loop walks a row of B and of C.
                if (beta == 0) java.util.Arrays.fill(c, ci, ci + n, 0f);
                else if (beta != 1) for (int j = 0; j < n; j++) c[ci + j] *= beta;
                for (int p = 0; p < k; p++) {
                    float aip = a[ai + p];
                    int bp = bOff + p * ldb;
                    for (int j = 0; j < n; j++) c[ci + j] += aip * b[bp + j];
                }
            }
        }
    }
}
