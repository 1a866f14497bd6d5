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
 * plan (6-, 5- and 4-channel blocks, repeated channels), outputs narrower than (partial units), equal to and wider
 * than a unit ({@link DirectConv#WIDTH}; rows ending in an overlapping unit), small reductions ({@code K = 9} as in
 * {@code mynet}) and large ones (one unit a block call), kernel sizes, dilation, asymmetric padding, groups, no
 * bias, unit ranges run as two threads would (also truly concurrently, split at every unit and interleaved unit by
 * unit), every range writing exactly its own units' columns, and no write past the result.
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
        {16, 1, 1, 3, 3, 1, 1, 0, 0, 28, 28, 3, 1},           // mynet: K = 9, 6+5+5, ow 26 (last unit overlaps)
        {6, 1, 1, 5, 5, 1, 1, 2, 2, 28, 28, 2, 1},            // lenet_bn conv1: K = 25, ow 28
        {10, 2, 1, 3, 3, 1, 1, 0, 0, 6, DirectConv.WIDTH + 3, 3, 1}, // groups 2 of 5, K = 9, ow WIDTH + 1
        {9, 3, 2, 3, 3, 1, 1, 1, 1, 5, DirectConv.WIDTH - 5, 2, 1},  // groups 3 of 3 (4-block storing 3), partial
    };

    /** The output widths around {@link DirectConv#WIDTH} whose rows end with an overlapping or a partial unit. */
    private static final int[] WIDTHS = {
        DirectConv.WIDTH - 5, DirectConv.WIDTH - 1, DirectConv.WIDTH, DirectConv.WIDTH + 1, DirectConv.WIDTH + 7,
        2 * DirectConv.WIDTH - 1, 2 * DirectConv.WIDTH + 2, 3 * DirectConv.WIDTH - 3,
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

    /**
     * A range writes exactly the columns of its own units ({@code x0 = min(xb·WIDTH, ow − WIDTH)}, whole vectors
     * when {@code ow >= WIDTH}), right, and nothing else: every range of a few shapes with small {@code K}, groups
     * and widths around {@code WIDTH}, starting and ending inside rows and planes. Rows at least a unit wide need no
     * scratch at all (an empty one is passed).
     */
    @Test
    void everyUnitRangeWritesExactlyItsOwnColumns() {
        for (int ow : WIDTHS) {
            // {o, groups, c/g, h, n}; the last with K = 108, so a block call walks 2 units (DirectConv.WALK_STEPS).
            for (int[] shape : new int[][] {{8, 2, 1, 4, 2}, {11, 1, 2, 3, 2}, {7, 1, 12, 5, 1}}) {
                // 3x3 kernel, padding 1: the output is h x ow.
                Conv cv = new Conv(new int[] {shape[0], shape[1], shape[2], 3, 3, 1, 1, 1, 1, shape[3], ow, shape[4],
                    1});
                double[] want = cv.reference();
                int nx = (ow + DirectConv.WIDTH - 1) / DirectConv.WIDTH;
                float[] scratch = new float[ow < DirectConv.WIDTH ? cv.units * DirectConv.WIDTH : 0];
                for (int u0 = 0; u0 < cv.units; u0++) {
                    for (int u1 = u0 + 1; u1 <= cv.units; u1 += 1 + (u1 - u0) / 3) {
                        float[] out = new float[cv.outLen];
                        java.util.Arrays.fill(out, Float.NaN);
                        cv.conv.run(cv.padded, cv.inImage, cv.inGroup, cv.wp, cv.koff, cv.n, cv.oh, cv.ow, out,
                                scratch, u0, u1);
                        boolean[] mine = new boolean[cv.outLen];
                        int og = cv.o / cv.groups;
                        for (int u = u0; u < u1; u++) {
                            int xb = u % nx;
                            int y = u / nx % cv.oh;
                            int b = u / nx / cv.oh % cv.n;
                            int g = u / nx / cv.oh / cv.n;
                            int x0 = ow >= DirectConv.WIDTH
                                    ? Math.min(xb * DirectConv.WIDTH, ow - DirectConv.WIDTH) : 0;
                            for (int oc = g * og; oc < (g + 1) * og; oc++) {
                                for (int x = x0; x < Math.min(ow, x0 + DirectConv.WIDTH); x++) {
                                    mine[((b * cv.o + oc) * cv.oh + y) * ow + x] = true;
                                }
                            }
                        }
                        String what = "ow " + ow + " o " + shape[0] + " groups " + shape[1] + " units [" + u0 + ", "
                                + u1 + ") at ";
                        for (int i = 0; i < cv.outLen; i++) {
                            if (mine[i]) {
                                assertEquals(want[i], out[i], cv.tolerance[i], what + i);
                            } else {
                                assertTrue(Float.isNaN(out[i]), what + i + ": written outside the range's units");
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * Two threads running unit ranges split at every unit of a plane boundary-crossing shape (mynet's K = 9, 16
     * channels, ow 26: each row's last unit overlaps the one before it, often on the other thread) give the
     * float64 result.
     */
    @Test
    void concurrentRangesWithOverlappingLastUnitsMatchFloat64() throws Exception {
        Conv cv = new Conv(new int[] {16, 1, 1, 3, 3, 1, 1, 0, 0, 10, 28, 2, 1});
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int split = 0; split <= cv.units; split++) {
                int mid = split;
                for (int rep = 0; rep < 3; rep++) {
                    float[] out = new float[cv.outLen];
                    List<Future<?>> fs = new ArrayList<>();
                    fs.add(pool.submit(() -> cv.conv.run(cv.padded, cv.inImage, cv.inGroup, cv.wp, cv.koff, cv.n,
                            cv.oh, cv.ow, out, new float[0], 0, mid)));
                    fs.add(pool.submit(() -> cv.conv.run(cv.padded, cv.inImage, cv.inGroup, cv.wp, cv.koff, cv.n,
                            cv.oh, cv.ow, out, new float[0], mid, cv.units)));
                    for (Future<?> f : fs) f.get();
                    cv.check(out, "split at " + split);
                }
            }
            // Unit by unit, alternating threads: neighbouring, overlapping units on different threads at once.
            for (int rep = 0; rep < 20; rep++) {
                float[] out = new float[cv.outLen];
                interleave(cv, pool, out, new float[0]);
                cv.check(out, "interleaved rep " + rep);
            }
        } finally {
            pool.shutdown();
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
                // Every other unit, so both threads store partial units through the scratch at once.
                interleave(cv, pool, out, scratch);
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
        private double[] want;
        /** Per output element: {@code 1e-6 · max(1, Σ|terms|)}. */
        double[] tolerance;

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

        /** The float64 convolution of the unbordered input, computed once; {@link #tolerance} alongside. */
        double[] reference() {
            if (want != null) return want;
            want = new double[outLen];
            tolerance = new double[outLen];
            int c = cg * groups;
            int og = o / groups;
            for (int b = 0; b < n; b++) {
                for (int oc = 0; oc < o; oc++) {
                    int g = oc / og;
                    for (int y = 0; y < oh; y++) {
                        for (int xx = 0; xx < ow; xx++) {
                            double sum = bias == null ? 0 : bias[oc];
                            double scale = Math.abs(sum);
                            for (int ci = 0; ci < cg; ci++) {
                                for (int ki = 0; ki < kh; ki++) {
                                    for (int kj = 0; kj < kw; kj++) {
                                        int iy = y - ph + ki * dh;
                                        int ix = xx - pw + kj * dw;
                                        if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                                        double p = (double) x[((b * c + g * cg + ci) * h + iy) * w + ix]
                                                * wt[((oc * cg + ci) * kh + ki) * kw + kj];
                                        sum += p;
                                        scale += Math.abs(p);
                                    }
                                }
                            }
                            int i = ((b * o + oc) * oh + y) * ow + xx;
                            want[i] = sum;
                            tolerance[i] = 1e-6 * Math.max(1, scale);
                        }
                    }
                }
            }
            return want;
        }

        void check(float[] out, String what) {
            reference();
            for (int b = 0; b < n; b++) {
                for (int oc = 0; oc < o; oc++) {
                    for (int y = 0; y < oh; y++) {
                        for (int xx = 0; xx < ow; xx++) {
                            int i = ((b * o + oc) * oh + y) * ow + xx;
                            assertEquals(want[i], out[i], tolerance[i],
                                    what + " at (" + b + ", " + oc + ", " + y + ", " + xx + ")");
                        }
                    }
                }
            }
        }
    }

    /** Runs {@code cv}'s units on two threads of {@code pool}, even units on one and odd on the other, at once. */
    private static void interleave(Conv cv, ExecutorService pool, float[] out, float[] scratch) throws Exception {
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            int parity = t;
            fs.add(pool.submit(() -> {
                for (int u = parity; u < cv.units; u += 2) {
                    cv.conv.run(cv.padded, cv.inImage, cv.inGroup, cv.wp, cv.koff, cv.n, cv.oh, cv.ow, out, scratch,
                            u, u + 1);
                }
                return null;
            }));
        }
        for (Future<?> f : fs) f.get();
    }
}
