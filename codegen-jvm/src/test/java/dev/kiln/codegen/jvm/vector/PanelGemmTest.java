package dev.kiln.codegen.jvm.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * {@link PanelGemm} against a float64 reference, in both operand forms (packed panels, row-major matrix): row strides and offsets larger than {@code K}, a result with a
 * leading dimension and offset (neighbouring values must stay untouched), partial last panels, and panel ranges.
 */
class PanelGemmTest {
    private static float[] ramp(int n, double scale, double phase) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (scale * Math.sin(0.37 * i + phase));
        return v;
    }

    @Test
    void matchesFloat64OnStridedOperandsAndPanelRanges() {
        int[][] shapes = {{1, 1}, {7, PanelGemm.WIDTH}, {33, PanelGemm.WIDTH + 1}, {64, 3 * PanelGemm.WIDTH - 5}};
        for (int[] sh : shapes) {
            int k = sh[0];
            int n = sh[1];
            float[] w = ramp(n * k, 0.5, 0.3);
            float[] bias = ramp(n, 2, 1.1);
            float[] wp = PanelGemm.pack(w, n, k);
            for (float[] b : new float[][] {bias, null}) {
                float[] bp = PanelGemm.packBias(b, n);
                for (int m = 1; m <= 11; m++) {
                    int lda = k + 3;
                    int aOff = 2;
                    int ldc = n + 4;
                    int cOff = 5;
                    float[] a = ramp(aOff + m * lda, 1.3, m);
                    float[] c = new float[cOff + m * ldc + 2];
                    java.util.Arrays.fill(c, -7f);
                    int panels = PanelGemm.panels(n);
                    float[] scratch = new float[PanelGemm.WIDTH];
                    // Two panel ranges, as two threads would run them.
                    int mid = panels / 2;
                    PanelGemm.run(m, n, k, a, aOff, lda, wp, bp, c, cOff, ldc, 0, mid, scratch);
                    PanelGemm.run(m, n, k, a, aOff, lda, wp, bp, c, cOff, ldc, mid, panels, scratch);
                    String what = "k=" + k + " n=" + n + " m=" + m + (b == null ? "" : " +bias");
                    for (int p = 0; p < c.length; p++) {
                        int rel = p - cOff;
                        int i = Math.floorDiv(rel, ldc);
                        int j = Math.floorMod(rel, ldc);
                        if (rel < 0 || i >= m || j >= n) {
                            assertEquals(-7f, c[p], what + ": wrote outside the result at " + p);
                            continue;
                        }
                        double want = b == null ? 0 : b[j];
                        double scale = Math.abs(want);
                        for (int t = 0; t < k; t++) {
                            double prod = (double) a[aOff + i * lda + t] * w[j * k + t];
                            want += prod;
                            scale += Math.abs(prod);
                        }
                        assertEquals(want, c[p], 1e-6 * Math.max(1, scale), what + " at (" + i + ", " + j + ")");
                    }
                }
            }
        }
    }

    /**
     * The row-major form (the conv anchor's column matrix as {@code B}, {@code ldb > N}, spare floats after it) with
     * a per-row bias at an offset, against float64.
     */
    @Test
    void rowMajorOperandWithRowBiasMatchesFloat64() {
        int[][] shapes = {{3, 2 * PanelGemm.WIDTH + 3}, {25, PanelGemm.WIDTH}, {150, 5}};
        for (int[] sh : shapes) {
            int k = sh[0];
            int n = sh[1];
            int ldb = n + 2;
            int bOff = 4;
            float[] b = ramp(bOff + k * ldb + PanelGemm.WIDTH, 0.8, 0.9);
            float[] rowBias = ramp(20, 1.5, 0.4);
            for (int m = 1; m <= 9; m++) {
                float[] a = ramp(m * k, 1.1, 2 * m);
                float[] c = new float[m * n];
                PanelGemm.run(m, n, k, a, 0, k, b, bOff, ldb, PanelGemm.WIDTH, null, rowBias, 7, c, 0, n, 0,
                        PanelGemm.panels(n), new float[PanelGemm.WIDTH]);
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double want = rowBias[7 + i];
                        double scale = Math.abs(want);
                        for (int t = 0; t < k; t++) {
                            double prod = (double) a[i * k + t] * b[bOff + t * ldb + j];
                            want += prod;
                            scale += Math.abs(prod);
                        }
                        assertEquals(want, c[i * n + j], 1e-6 * Math.max(1, scale),
                                "k=" + k + " n=" + n + " m=" + m + " at (" + i + ", " + j + ")");
                    }
                }
            }
        }
    }
}
