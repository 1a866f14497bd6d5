package dev.kiln.eager.kernels;

/**
 * Plain-Java GEMM for the integer dtypes, which BLAS does not cover: {@code C = A · B} with {@code C} a
 * contiguous {@code m × n} block. Integer arithmetic wraps as in C (and in PyTorch).
 */
final class JavaGemm {
    private JavaGemm() {}

    /** {@code c[cOff + i*n + j] = Σ_p a(i,p) · b(p,j)}; {@code c} is an {@code int[]} or {@code long[]} like the operands. */
    static void gemm(Matrix a, Matrix b, Object c, int cOff) {
        int m = a.rows();
        int k = a.cols();
        int n = b.cols();
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
        } else {
            throw new IllegalArgumentException("JavaGemm handles int[] and long[], got " + c.getClass().getSimpleName());
        }
    }
}
