package dev.kiln.codegen.jvm.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * {@link WinogradRows} alone (input transform, the four products in unit ranges, output transform) against a float64
 * convolution computed here from the unbordered input: odd and even output heights (a last tile row with one output
 * row), one output row, kernel widths 1, 3 and 5 with column dilation, groups, row/column padding that differ, no
 * bias, partial units, and a row pitch wider than the bordered row.
 */
class WinogradRowsTest {
    private static float[] ramp(int n, double scale, double phase) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (scale * Math.sin(0.37 * i + phase));
        return v;
    }

    /** {o, groups, c/g, kw, dw, ph, pw, h, w, n, bias} (3 kernel rows, row dilation 1). */
    private static final int[][] CASES = {
        {32, 1, 32, 3, 1, 1, 1, 16, 16, 2, 1},   // resnet_block
        {7, 1, 9, 3, 1, 1, 1, 9, 13, 2, 1},      // oh 9 (odd), ow 13 (partial unit), 4+4(3) blocks
        {12, 2, 8, 5, 2, 2, 0, 10, 30, 1, 0},    // groups 2 of 6, 3x5 kernel with column dilation 2, no bias
        {11, 1, 10, 1, 1, 0, 0, 7, 17, 3, 1},    // 3x1 kernel, oh 5, ow 17 (a 1-column last unit)
        {5, 1, 16, 3, 1, 0, 1, 4, 20, 1, 1},     // oh 2: one tile row; a 5-channel block
        {6, 1, 8, 3, 1, 0, 1, 3, 16, 2, 1},      // oh 1: the tile row's second output row dropped
    };

    @Test
    void matchesFloat64() {
        for (int[] cs : CASES) {
            int o = cs[0];
            int groups = cs[1];
            int cg = cs[2];
            int kw = cs[3];
            int dw = cs[4];
            int ph = cs[5];
            int pw = cs[6];
            int h = cs[7];
            int w = cs[8];
            int n = cs[9];
            int c = cg * groups;
            int oh = h + 2 * ph - 2;
            int ow = w + 2 * pw - dw * (kw - 1);
            int wp = w + 2 * pw;
            for (int pitch : new int[] {WinogradRows.pitch(wp), WinogradRows.pitch(wp) + 3}) {
                String what = java.util.Arrays.toString(cs) + " pitch " + pitch;
                float[] x = ramp(n * c * h * w, 1.3, o + 0.1);
                float[] wt = ramp(o * cg * 3 * kw, 0.6, 0.2 + o);
                float[] bias = cs[10] == 1 ? ramp(o, 1, 0.8) : null;
                int hb = WinogradRows.borderedRows(oh);
                float[] in = new float[n * c * hb * pitch + DirectConv.WIDTH];
                for (int img = 0; img < n * c; img++) {
                    for (int y = 0; y < h; y++) {
                        System.arraycopy(x, (img * h + y) * w, in, (img * hb + y + ph) * pitch + pw, w);
                    }
                }
                int th = WinogradRows.tileRows(oh);
                float[] vt = new float[WinogradRows.transformedLength(n, c, oh, pitch)];
                java.util.Arrays.fill(vt, 5e3f); // every value the products read must be written by the transform
                java.util.Arrays.fill(vt, vt.length - DirectConv.WIDTH, vt.length, 0f);
                WinogradRows.transformInput(in, n, c, oh, pitch, vt);
                int[] koff = new int[cg * kw];
                for (int ci = 0; ci < cg; ci++) {
                    for (int kj = 0; kj < kw; kj++) koff[ci * kw + kj] = ci * th * pitch + kj * dw;
                }
                WinogradRows wr = new WinogradRows(wt, bias, o, groups, cg, kw);
                int units = WinogradRows.units(groups, n, oh, ow);
                float[] m = new float[4 * n * o * th * ow];
                float[] scratch = new float[units * DirectConv.WIDTH];
                int mid = units / 2 + 1; // ranges crossing from one product to the next
                wr.run(vt, c, cg, pitch, koff, n, oh, ow, m, scratch, 0, mid);
                wr.run(vt, c, cg, pitch, koff, n, oh, ow, m, scratch, mid, units);
                float[] out = new float[n * o * oh * ow + 3];
                java.util.Arrays.fill(out, -7f);
                wr.transformOutput(m, n, oh, ow, out);
                for (int i = n * o * oh * ow; i < out.length; i++) assertEquals(-7f, out[i], what + ": wrote past");
                int og = o / groups;
                for (int b = 0; b < n; b++) {
                    for (int oc = 0; oc < o; oc++) {
                        int g = oc / og;
                        for (int y = 0; y < oh; y++) {
                            for (int xx = 0; xx < ow; xx++) {
                                double want = bias == null ? 0 : bias[oc];
                                double scale = Math.abs(want);
                                for (int ci = 0; ci < cg; ci++) {
                                    for (int ki = 0; ki < 3; ki++) {
                                        for (int kj = 0; kj < kw; kj++) {
                                            int iy = y - ph + ki;
                                            int ix = xx - pw + kj * dw;
                                            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                                            double p = (double) x[((b * c + g * cg + ci) * h + iy) * w + ix]
                                                    * wt[((oc * cg + ci) * 3 + ki) * kw + kj];
                                            want += p;
                                            scale += Math.abs(p);
                                        }
                                    }
                                }
                                assertEquals(want, out[((b * o + oc) * oh + y) * ow + xx], 1e-6 * Math.max(1, scale),
                                        what + " at (" + b + ", " + oc + ", " + y + ", " + xx + ")");
                            }
                        }
                    }
                }
            }
        }
    }
}
