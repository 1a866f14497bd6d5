package dev.kiln.codegen.jvm.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A small-{@code M} GEMM on the heap with the Vector API, {@code C = A·B + bias}, for the compiled GEMM anchors.
 * {@code B} is read in <b>panels</b> of {@link #WIDTH} = two vectors of output columns: either a constant weight
 * {@code W} ({@code N × K}, {@code B = Wᵀ}) packed once by {@link #pack} so that each panel is {@code K × WIDTH}
 * contiguous ({@code panel p, row t, column j} at {@code (p·K + t)·WIDTH + j}; columns past {@code N} are zero), or
 * a row-major {@code K × N} matrix read in place (the conv anchor's column matrix). A panel is read once per block
 * of four rows of {@code A}, whose eight accumulators (4 rows × 2 vectors) stay in registers across the whole
 * {@code K} loop with one {@code fma} each per step, so for {@code M ≤ 4} {@code B} is read once per call and for
 * {@code M ≤ 8} twice (from cache: the second block follows the first on the same panel), where one {@code sgemv}
 * per row reads it {@code M} times and {@code sgemm} first copies it into its own packed layout.
 *
 * <p>Invariants: vectors live only in locals of {@link #block4} and {@link #block1} (never fields, arrays or
 * arguments, which would box them); {@code WIDTH = 2 · SPECIES.length()} for {@link FloatVector#SPECIES_PREFERRED},
 * so panels packed by {@link #pack} are only valid in the JVM that packed them (anchors are rebuilt from the
 * weights whenever a module is compiled or instantiated; panels are never serialised).
 * Sums run in a different order than OpenBLAS's, so results differ from {@code sgemv}'s by rounding only.
 */
public final class PanelGemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Columns per panel. */
    public static final int WIDTH = 2 * L;

    private PanelGemm() {}

    /** Number of panels for {@code n} columns. */
    public static int panels(int n) { return (n + WIDTH - 1) / WIDTH; }

    /** Packs a row-major {@code N × K} weight into panels (compile time). */
    public static float[] pack(float[] wNK, int n, int k) {
        float[] p = new float[Math.multiplyExact(panels(n) * WIDTH, k)];
        for (int j = 0; j < n; j++) {
            int base = (j / WIDTH) * k * WIDTH + j % WIDTH;
            for (int t = 0; t < k; t++) p[base + t * WIDTH] = wNK[j * k + t];
        }
        return p;
    }

    /** The bias padded with zeros to whole panels; zeros when {@code bias} is null. */
    public static float[] packBias(float[] bias, int n) {
        float[] b = new float[panels(n) * WIDTH];
        if (bias != null) System.arraycopy(bias, 0, b, 0, n);
        return b;
    }

    /**
     * {@link #run(int, int, int, float[], int, int, float[], int, int, int, float[], float[], int, float[], int, int,
     * int, int, float[])} on a weight packed by {@link #pack}, with a per-column bias padded by {@link #packBias}.
     */
    public static void run(int m, int n, int k, float[] a, int aOff, int lda, float[] wp, float[] bias, float[] c,
                           int cOff, int ldc, int p0, int p1, float[] scratch) {
        run(m, n, k, a, aOff, lda, wp, 0, WIDTH, k * WIDTH, bias, null, 0, c, cOff, ldc, p0, p1, scratch);
    }

    /**
     * Writes rows {@code [0, m)}, panels {@code [p0, p1)} of {@code C}: {@code c[cOff + i·ldc + j] = colBias[j] +
     * rowBias[rowBiasOff + i] + Σ_t a[aOff + i·lda + t] · B[t, j]}, where {@code B[t, j]} is
     * {@code b[bOff + (j / WIDTH)·panelStride + t·ldb + j % WIDTH]}: packed panels ({@code ldb = WIDTH},
     * {@code panelStride = K·WIDTH}) or a row-major {@code K × N} matrix ({@code ldb ≥ N}, {@code panelStride =
     * WIDTH}). All {@link #WIDTH} columns of a panel are read, so {@code b} must extend to the last panel's full
     * width (columns past {@code N} are computed and dropped).
     *
     * @param colBias per-column bias of at least {@code panels(n)·WIDTH} values, or null
     * @param rowBias per-row bias, or null
     * @param scratch at least {@link #WIDTH} floats, used for the last panel when {@code N} is not a multiple of
     *                {@link #WIDTH}; owned by the calling thread
     */
    public static void run(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                           int panelStride, float[] colBias, float[] rowBias, int rowBiasOff, float[] c, int cOff,
                           int ldc, int p0, int p1, float[] scratch) {
        for (int p = p0; p < p1; p++) {
            int bp = bOff + p * panelStride;
            int i = 0;
            for (; m - i >= 4; i += 4) {
                block4(4, k, a, aOff + i * lda, lda, b, bp, ldb, p, colBias, rowBias, rowBiasOff + i, c,
                        cOff + i * ldc, ldc, n, scratch);
            }
            int rest = m - i;
            if (rest >= 2) {
                block4(rest, k, a, aOff + i * lda, lda, b, bp, ldb, p, colBias, rowBias, rowBiasOff + i, c,
                        cOff + i * ldc, ldc, n, scratch);
            } else if (rest == 1) {
                block1(k, a, aOff + i * lda, b, bp, ldb, p, colBias, rowBias, rowBiasOff + i, c, cOff + i * ldc, n,
                        scratch);
            }
        }
    }

    /**
     * Rows {@code [0, rows)} ({@code 2 ≤ rows ≤ 4}) of panel {@code p}; rows past {@code rows} repeat the last one
     * (computed, not stored), so the loop keeps one shape.
     */
    private static void block4(int rows, int k, float[] a, int a0, int lda, float[] wp, int w, int ldb, int p,
                               float[] colBias, float[] rowBias, int r0, float[] c, int c0, int ldc, int n,
                               float[] scratch) {
        int a1 = a0 + lda;
        int a2 = rows > 2 ? a1 + lda : a1;
        int a3 = rows > 3 ? a2 + lda : a2;
        int j0 = p * WIDTH;
        FloatVector b0 = colBias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, colBias, j0);
        FloatVector b1 = colBias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, colBias, j0 + L);
        FloatVector c00 = b0, c01 = b1, c10 = b0, c11 = b1, c20 = b0, c21 = b1, c30 = b0, c31 = b1;
        if (rowBias != null) {
            FloatVector r = FloatVector.broadcast(S, rowBias[r0]);
            c00 = c00.add(r);
            c01 = c01.add(r);
            r = FloatVector.broadcast(S, rowBias[r0 + 1]);
            c10 = c10.add(r);
            c11 = c11.add(r);
            r = FloatVector.broadcast(S, rowBias[r0 + Math.min(2, rows - 1)]);
            c20 = c20.add(r);
            c21 = c21.add(r);
            r = FloatVector.broadcast(S, rowBias[r0 + Math.min(3, rows - 1)]);
            c30 = c30.add(r);
            c31 = c31.add(r);
        }
        for (int t = 0; t < k; t++, w += ldb) {
            FloatVector w0 = FloatVector.fromArray(S, wp, w);
            FloatVector w1 = FloatVector.fromArray(S, wp, w + L);
            FloatVector x = FloatVector.broadcast(S, a[a0 + t]);
            c00 = w0.fma(x, c00);
            c01 = w1.fma(x, c01);
            x = FloatVector.broadcast(S, a[a1 + t]);
            c10 = w0.fma(x, c10);
            c11 = w1.fma(x, c11);
            x = FloatVector.broadcast(S, a[a2 + t]);
            c20 = w0.fma(x, c20);
            c21 = w1.fma(x, c21);
            x = FloatVector.broadcast(S, a[a3 + t]);
            c30 = w0.fma(x, c30);
            c31 = w1.fma(x, c31);
        }
        int cols = Math.min(WIDTH, n - j0);
        if (cols == WIDTH) {
            c00.intoArray(c, c0 + j0);
            c01.intoArray(c, c0 + j0 + L);
            c10.intoArray(c, c0 + ldc + j0);
            c11.intoArray(c, c0 + ldc + j0 + L);
            if (rows > 2) {
                c20.intoArray(c, c0 + 2 * ldc + j0);
                c21.intoArray(c, c0 + 2 * ldc + j0 + L);
            }
            if (rows > 3) {
                c30.intoArray(c, c0 + 3 * ldc + j0);
                c31.intoArray(c, c0 + 3 * ldc + j0 + L);
            }
            return;
        }
        // The last, partial panel: through the scratch row (a masked store is not intrinsified on AVX2 in JDK 17).
        c00.intoArray(scratch, 0);
        c01.intoArray(scratch, L);
        System.arraycopy(scratch, 0, c, c0 + j0, cols);
        c10.intoArray(scratch, 0);
        c11.intoArray(scratch, L);
        System.arraycopy(scratch, 0, c, c0 + ldc + j0, cols);
        if (rows > 2) {
            c20.intoArray(scratch, 0);
            c21.intoArray(scratch, L);
            System.arraycopy(scratch, 0, c, c0 + 2 * ldc + j0, cols);
        }
        if (rows > 3) {
            c30.intoArray(scratch, 0);
            c31.intoArray(scratch, L);
            System.arraycopy(scratch, 0, c, c0 + 3 * ldc + j0, cols);
        }
    }

    /** One row of panel {@code p}; {@code K} split into even and odd steps so four accumulators hide fma latency. */
    private static void block1(int k, float[] a, int a0, float[] wp, int w, int ldb, int p, float[] colBias,
                               float[] rowBias, int r0, float[] c, int c0, int n, float[] scratch) {
        int j0 = p * WIDTH;
        FloatVector c0v = colBias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, colBias, j0);
        FloatVector c1v = colBias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, colBias, j0 + L);
        if (rowBias != null) {
            FloatVector r = FloatVector.broadcast(S, rowBias[r0]);
            c0v = c0v.add(r);
            c1v = c1v.add(r);
        }
        FloatVector d0 = FloatVector.zero(S);
        FloatVector d1 = FloatVector.zero(S);
        int t = 0;
        for (; t + 1 < k; t += 2, w += 2 * ldb) {
            FloatVector x = FloatVector.broadcast(S, a[a0 + t]);
            c0v = FloatVector.fromArray(S, wp, w).fma(x, c0v);
            c1v = FloatVector.fromArray(S, wp, w + L).fma(x, c1v);
            FloatVector y = FloatVector.broadcast(S, a[a0 + t + 1]);
            d0 = FloatVector.fromArray(S, wp, w + ldb).fma(y, d0);
            d1 = FloatVector.fromArray(S, wp, w + ldb + L).fma(y, d1);
        }
        if (t < k) {
            FloatVector x = FloatVector.broadcast(S, a[a0 + t]);
            c0v = FloatVector.fromArray(S, wp, w).fma(x, c0v);
            c1v = FloatVector.fromArray(S, wp, w + L).fma(x, c1v);
        }
        c0v = c0v.add(d0);
        c1v = c1v.add(d1);
        int cols = Math.min(WIDTH, n - j0);
        if (cols == WIDTH) {
            c0v.intoArray(c, c0 + j0);
            c1v.intoArray(c, c0 + j0 + L);
        } else {
            c0v.intoArray(scratch, 0);
            c1v.intoArray(scratch, L);
            System.arraycopy(scratch, 0, c, c0 + j0, cols);
        }
    }
}
