package dev.kiln.codegen.jvm.vector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * {@link DirectConv} alone against a float64 convolution computed here from the unbordered input: every row-block
 * plan (6-, 5- and 4-channel blocks, repeated channels), outputs narrower than, equal to and wider than a unit
 * ({@link DirectConv#WIDTH}) with partial last units, kernel sizes, dilation, asymmetric padding, groups, no bias,
 * unit ranges run as two threads would (also truly concurrently, interleaved unit by unit), and no write past the
 * result.
 */
class DirectConvTest {
    private static float[] ramp(int n, double scale, double phase) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (scale * Math.sin(0.37 * i + phase));
        return v;
    }

    @Test
    void blockPlansCoverEveryChannelOnce() {
        for (int m = 1; m <= 64; m++) {
            int[][] plan = DirectConv.blocks(m);
            int[] first = plan[0];
            int[] rows = plan[1];
            int[] kinds = plan[2];
            int next = 0;
            int fours = 0;
            for (int i = 0; i < kinds.length; i++) {
                assertEquals(next, first[i], "m=" + m + ": block " + i + " starts where the previous ended");
                assertTrue(kinds[i] == 4 || kinds[i] == 5 || kinds[i] == 6, "m=" + m + ": kernel of " + kinds[i]);
                assertTrue(rows[i] >= 1 && rows[i] <= kinds[i] && (kinds[i] == 4 || rows[i] == kinds[i]),
                        "m=" + m + ": block " + i + " stores " + rows[i] + " of " + kinds[i] + " rows");
                if (kinds[i] == 4) fours++;
                next += rows[i];
            }
            assertEquals(m, next, "m=" + m + ": channels covered");
            boolean sum65 = false;
            for (int a = 0; 6 * a <= m; a++) sum65 |= (m - 6 * a) % 5 == 0;
            assertEquals(sum65, fours == 0, "m=" + m + ": 4-channel blocks only where 6a + 5b cannot make m");
        }
    }

    /** {o, groups, c/g, kh, kw, dh, dw, ph, pw, h, w, n, bias} */
    private static final int[][] CASES = {
        {32, 1, 32, 3, 3, 1, 1, 1, 1, 16, 16, 2, 1},          // resnet_block: 6+6+5+5+5+5, full units
        {3, 1, 2, 3, 3, 1, 1, 1, 1, 5, 3, 1, 1},              // one 4-block storing 3; ow 3 (partial unit only)
        {4, 1, 3, 1, 1, 1, 1, 0, 0, 4, DirectConv.WIDTH + 1, 2, 0}, // 1x1 kernel, a 1-column last unit
        {5, 1, 4, 3, 5, 1, 1, 2, 1, 9, DirectConv.WIDTH - 1, 1, 1}, // one 5-block, asymmetric padding
        {7, 1, 3, 3, 3, 2, 2, 2, 2, 10, 2 * DirectConv.WIDTH + 3, 2, 1}, // 4+4(3), dilation 2
        {8, 2, 3, 2, 3, 1, 2, 0, 1, 6, 11, 3, 1},             // groups 2 of 4 channels, dilation 1x2
        {26, 2, 4, 3, 3, 1, 1, 1, 1, 7, DirectConv.WIDTH, 1, 0}, // groups 2 of 13: 6+4+4(3), no bias
        {33, 3, 2, 5, 5, 1, 1, 2, 2, 8, 13, 2, 1},            // groups 3 of 11: 6+5
        {19, 1, 5, 3, 3, 1, 1, 0, 0, 12, 23, 1, 1},           // 6+6+4+4(3), ow 21
        {12, 1, 6, 3, 3, 3, 1, 3, 1, 9, 2 * DirectConv.WIDTH, 2, 1}, // 6+6, two full units per row, dilation 3x1
    };

    @Test
    void matchesFloat64InEveryBlockPlanAndUnitShape() {
        for (int[] cs : CASES) {
            Conv cv = new Conv(cs);
            float[] out = new float[cv.outLen + 5];
            java.util.Arrays.fill(out, -7f);
            float[] scratch = new float[cv.units * DirectConv.WIDTH];
            int mid = cv.units / 3;
            // Two unit ranges, as two threads would run them.
            cv.conv.run(cv.padded, cv.inImage, cv.inGroup, cv.wp, cv.koff, cv.n, cv.oh, cv.ow, out, scratch, 0, mid);
            cv.conv.run(cv.padded, cv.inImage, cv.inGroup, cv.wp, cv.koff, cv.n, cv.oh, cv.ow, out, scratch, mid,
                    cv.units);
            cv.check(out, java.util.Arrays.toString(cs));
            for (int i = cv.outLen; i < out.length; i++) assertEquals(-7f, out[i], "wrote past the result");
        }
    }

    @Test
    void concurrentInterleavedUnitsMatchASingleThread() throws Exception {
        Conv cv = new Conv(new int[] {13, 1, 7, 3, 3, 1, 1, 1, 1, 11, DirectConv.WIDTH + 5, 2, 1});
        float[] one = new float[cv.outLen];
        cv.conv.run(cv.padded, cv.inImage, cv.inGroup, cv.wp, cv.koff, cv.n, cv.oh, cv.ow, one,
                new float[cv.units * DirectConv.WIDTH], 0, cv.units);
        cv.check(one, "single thread");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int rep = 0; rep < 50; rep++) {
                float[] out = new float[cv.outLen];
                float[] scratch = new float[cv.units * DirectConv.WIDTH];
                List<Future<?>> fs = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    int parity = t;
                    fs.add(pool.submit(() -> {
                        // Every other unit, so both threads store partial units through the scratch at once.
                        for (int u = parity; u < cv.units; u += 2) {
                            cv.conv.run(cv.padded, cv.inImage, cv.inGroup, cv.wp, cv.koff, cv.n, cv.oh, cv.ow, out,
                                    scratch, u, u + 1);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : fs) f.get();
                assertArrayEquals(one, out, "rep " + rep);
            }
        } finally {
            pool.shutdown();
        }
    }

    /** One test convolution: the packed kernel, the bordered input and its offsets, and the float64 reference. */
    private static final class Conv {
        final int o;
        final int groups;
        final int cg;
        final int kh;
        final int kw;
        final int dh;
        final int dw;
        final int ph;
        final int pw;
        final int h;
        final int w;
        final int n;
        final int oh;
        final int ow;
        final int hp;
        final int wp;
        final int inImage;
        final int inGroup;
        final int units;
        final int outLen;
        final float[] x;
        final float[] wt;
        final float[] bias;
        final float[] padded;
        final int[] koff;
        final DirectConv conv;

        Conv(int[] cs) {
            o = cs[0];
            groups = cs[1];
            cg = cs[2];
            kh = cs[3];
            kw = cs[4];
            dh = cs[5];
            dw = cs[6];
            ph = cs[7];
            pw = cs[8];
            h = cs[9];
            w = cs[10];
            n = cs[11];
            int c = cg * groups;
            hp = h + 2 * ph;
            wp = w + 2 * pw;
            oh = hp - dh * (kh - 1);
            ow = wp - dw * (kw - 1);
            x = ramp(n * c * h * w, 1.3, o + 0.1);
            wt = ramp(o * cg * kh * kw, 0.6, 0.2 + o);
            bias = cs[12] == 1 ? ramp(o, 1, 0.8) : null;
            padded = new float[n * c * hp * wp + DirectConv.WIDTH];
            java.util.Arrays.fill(padded, n * c * hp * wp, padded.length, 1e3f); // garbage past the input
            for (int img = 0; img < n * c; img++) {
                for (int y = 0; y < h; y++) {
                    System.arraycopy(x, (img * h + y) * w, padded, (img * hp + y + ph) * wp + pw, w);
                }
            }
            inImage = c * hp * wp;
            inGroup = cg * hp * wp;
            koff = new int[cg * kh * kw];
            for (int ci = 0; ci < cg; ci++) {
                for (int ki = 0; ki < kh; ki++) {
                    for (int kj = 0; kj < kw; kj++) koff[(ci * kh + ki) * kw + kj] = ci * hp * wp + ki * dh * wp + kj * dw;
                }
            }
            conv = new DirectConv(wt, bias, o, groups, cg * kh * kw);
            units = groups * n * DirectConv.unitsPerImage(oh, ow);
            outLen = n * o * oh * ow;
        }

        void check(float[] out, String what) {
            int c = cg * groups;
            int og = o / groups;
            for (int b = 0; b < n; b++) {
                for (int oc = 0; oc < o; oc++) {
                    int g = oc / og;
                    for (int y = 0; y < oh; y++) {
                        for (int xx = 0; xx < ow; xx++) {
                            double want = bias == null ? 0 : bias[oc];
                            double scale = Math.abs(want);
                            for (int ci = 0; ci < cg; ci++) {
                                for (int ki = 0; ki < kh; ki++) {
                                    for (int kj = 0; kj < kw; kj++) {
                                        int iy = y - ph + ki * dh;
                                        int ix = xx - pw + kj * dw;
                                        if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                                        double p = (double) x[((b * c + g * cg + ci) * h + iy) * w + ix]
                                                * wt[((oc * cg + ci) * kh + ki) * kw + kj];
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
