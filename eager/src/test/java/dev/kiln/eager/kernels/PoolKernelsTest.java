package dev.kiln.eager.kernels;

import static dev.kiln.eager.kernels.KernelTesting.assertClose;
import static dev.kiln.eager.kernels.KernelTesting.assertFails;
import static dev.kiln.eager.kernels.KernelTesting.offsetView;
import static dev.kiln.eager.kernels.KernelTesting.randD;
import static dev.kiln.eager.kernels.KernelTesting.randF;
import static dev.kiln.eager.kernels.KernelTesting.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.eager.Dispatcher;
import dev.kiln.eager.Tensor;
import dev.kiln.eager.nn.F;
import dev.kiln.ir.Attrs;
import dev.kiln.ir.Op;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PoolKernelsTest {
    private final Random rnd = new Random(11);

    /** PyTorch's pooling output size, written out independently of the kernel. */
    private static int outSize(int in, int k, int p, int s, int d, boolean ceil) {
        int eff = d * (k - 1) + 1;
        int span = in + 2 * p - eff;
        int out = (ceil ? (span + s - 1) / s : span / s) + 1;
        // The last window must start inside the input or the left padding.
        if (ceil && (out - 1) * s >= in + p) out--;
        return out;
    }

    private static double[] refMax(Tensor x, int[] k, int[] s, int[] p, int[] d, int oh, int ow) {
        int[] xs = x.intShape();
        int planes = xs[0] * xs[1];
        int h = xs[2];
        int w = xs[3];
        double[] v = values(x);
        double[] out = new double[planes * oh * ow];
        for (int q = 0; q < planes; q++) {
            for (int y = 0; y < oh; y++) {
                for (int xx = 0; xx < ow; xx++) {
                    double m = Double.NEGATIVE_INFINITY;
                    for (int i = 0; i < k[0]; i++) {
                        for (int j = 0; j < k[1]; j++) {
                            int iy = y * s[0] - p[0] + i * d[0];
                            int ix = xx * s[1] - p[1] + j * d[1];
                            if (iy >= 0 && iy < h && ix >= 0 && ix < w) m = Math.max(m, v[(q * h + iy) * w + ix]);
                        }
                    }
                    out[(q * oh + y) * ow + xx] = m;
                }
            }
        }
        return out;
    }

    @Test
    void maxPoolConfigurations() {
        int[][] configs = {
            // h, w, kh, kw, sh, sw, ph, pw, dh, dw, ceil
            {6, 6, 2, 2, 2, 2, 0, 0, 1, 1, 0},
            {7, 7, 2, 2, 2, 2, 0, 0, 1, 1, 1},
            {7, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1},
            {9, 9, 3, 2, 2, 3, 1, 1, 2, 2, 0},
            {9, 9, 3, 3, 3, 3, 1, 0, 2, 1, 1},
            {5, 5, 5, 5, 1, 1, 2, 2, 1, 1, 0},
            {6, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1},   // ceil rule drops a last window starting in the padding
        };
        for (int[] c : configs) for (boolean f64 : new boolean[] {false, true}) {
            // float32 runs on float arrays, float64 on the double path; both against the double reference.
            Tensor x = f64 ? randD(rnd, 2, 3, c[0], c[1]) : randF(rnd, 2, 3, c[0], c[1]);
            int[] k = {c[2], c[3]};
            int[] s = {c[4], c[5]};
            int[] p = {c[6], c[7]};
            int[] d = {c[8], c[9]};
            boolean ceil = c[10] == 1;
            int oh = outSize(c[0], k[0], p[0], s[0], d[0], ceil);
            int ow = outSize(c[1], k[1], p[1], s[1], d[1], ceil);
            Tensor y = F.maxPool2d(x, k, s, p, d, ceil);
            assertClose(y, x.dtype(), new int[] {2, 3, oh, ow}, refMax(x, k, s, p, d, oh, ow), null, 0);
        }
    }

    @Test
    void ceilModeLastWindowRule() {
        // 5 wide, kernel 2, stride 2, pad 1: ceil gives (5+2-2+1)/2+1 = 4 windows, but the 4th would start at
        // column 5 = in + pad - 1 + 1 (inside the right padding only), so PyTorch keeps 3.
        Tensor x = randF(rnd, 1, 1, 5, 5);
        Tensor y = F.maxPool2d(x, new int[] {2, 2}, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, true);
        assertArrayEquals(new int[] {1, 1, 3, 3}, y.intShape());
        // 6 wide, kernel 3, stride 2, no pad: floor 2, ceil 3 (last window starts at 4 < 6 and is partial).
        Tensor z = F.maxPool2d(randF(rnd, 1, 1, 6, 6), new int[] {3, 3}, new int[] {2, 2}, new int[] {0, 0},
                new int[] {1, 1}, true);
        assertArrayEquals(new int[] {1, 1, 3, 3}, z.intShape());
    }

    @Test
    void maxPoolNanPropagatesAndDefaultsAndViews() {
        float[] a = {1, Float.NaN, 3, 4};
        Tensor y = F.maxPool2d(Tensor.of(a, 1, 1, 2, 2), 2);
        assertTrue(Double.isNaN(y.item()));
        // stride empty -> kernel size; 3-d input.
        Tensor x = randF(rnd, 3, 4, 4);
        Tensor r = Dispatcher.call1(Op.MAX_POOL2D, Attrs.of(Op.MAX_POOL2D).set("kernel_size", new int[] {2}).build(), x);
        assertArrayEquals(new int[] {3, 2, 2}, r.intShape());
        Tensor x4 = Tensor.fromStorage(x.storage(), new int[] {1, 3, 4, 4}, new int[] {48, 16, 4, 1}, 0);
        assertArrayEquals(refMax(x4, new int[] {2, 2}, new int[] {2, 2}, new int[] {0, 0}, new int[] {1, 1}, 2, 2),
                values(r));
        Tensor v = offsetView(randF(rnd, 2, 2, 4, 6), 9, 3);
        int[] k = {2, 3};
        assertArrayEquals(refMax(v, k, k, new int[] {0, 0}, new int[] {1, 1}, 2, 2),
                values(F.maxPool2d(v, k, null, new int[] {0, 0}, new int[] {1, 1}, false)));
    }

    /**
     * Float32 max pooling is bit for bit PyTorch's rule ({@code if (v > m || isnan(v)) m = v}, written out here) on
     * relu-like inputs full of signed zeros, except that a maximum of zero is -0 only when every zero of its window
     * is -0 (the kernel's documented {@code Math.max} sign rule; PyTorch's NCHW loop keeps the first zero).
     */
    @Test
    void maxPoolOfSignedZerosFollowsTheDocumentedRule() {
        int h = 6;
        int w = 8;
        float[] a = new float[2 * 3 * h * w];
        for (int i = 0; i < a.length; i++) {
            int r = rnd.nextInt(4);
            a[i] = r == 0 ? -0f : r == 1 ? 0f : r == 2 ? -rnd.nextFloat() : rnd.nextFloat() * 0.001f - 0.002f;
        }
        int[][] configs = {{2, 2, 0}, {3, 2, 1}, {2, 1, 0}};   // k, s, pad
        for (int[] c : configs) {
            int k = c[0];
            int st = c[1];
            int pad = c[2];
            Tensor y = F.maxPool2d(Tensor.of(a, 2, 3, h, w), new int[] {k, k}, new int[] {st, st},
                    new int[] {pad, pad}, new int[] {1, 1}, false);
            int oh = outSize(h, k, pad, st, 1, false);
            int ow = outSize(w, k, pad, st, 1, false);
            float[] got = y.contiguous().storage().floats();
            for (int q = 0; q < 6; q++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        float m = Float.NEGATIVE_INFINITY;
                        boolean positiveZero = false;
                        for (int i = 0; i < k; i++) {
                            for (int j = 0; j < k; j++) {
                                int iy = oy * st - pad + i;
                                int ix = ox * st - pad + j;
                                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                                float v = a[(q * h + iy) * w + ix];
                                if (v > m || v != v) m = v;
                                positiveZero |= Float.floatToRawIntBits(v) == 0;
                            }
                        }
                        if (m == 0f) m = positiveZero ? 0f : -0f;
                        int at = (q * oh + oy) * ow + ox;
                        assertEquals(Float.floatToRawIntBits(m), Float.floatToRawIntBits(got[at]),
                                "k=" + k + " s=" + st + " pad=" + pad + " output " + at + ": expected " + m
                                        + ", found " + got[at]);
                    }
                }
            }
        }
    }

    /**
     * NaN anywhere in a window (first, last, only in-bounds element next to padding) makes that window NaN in both
     * dtypes, windows without NaN are unaffected, and -inf inputs stay -inf; on a transposed view too.
     */
    @Test
    void maxPoolNanPropagationMatchesTheReferenceInBothDtypes() {
        int[][] configs = {{2, 2, 0, 1}, {3, 2, 1, 1}, {3, 1, 1, 2}, {2, 3, 0, 1}};   // k, s, pad, dilation
        for (int[] c : configs) {
            for (boolean f64 : new boolean[] {false, true}) {
                for (boolean view : new boolean[] {false, true}) {
                    Tensor x = f64 ? randD(rnd, 2, 2, 7, 6) : randF(rnd, 2, 2, 7, 6);
                    double[] v = values(x);
                    int[] nanAt = {0, 5, 6, 13, 41, 83, 84 + 35};
                    for (int i : nanAt) v[i] = Double.NaN;
                    v[20] = Double.NEGATIVE_INFINITY;
                    v[21] = Double.NEGATIVE_INFINITY;
                    Tensor src = f64 ? Tensor.wrap(v, 2, 2, 7, 6) : Tensor.wrap(toFloats(v), 2, 2, 7, 6);
                    if (view) {
                        // The same logical values through a [2, 2, 7, 6] view of a [2, 2, 6, 7]-shaped copy.
                        src = src.transpose(2, 3).contiguous().transpose(2, 3);
                        assertTrue(!src.isContiguous());
                    }
                    int[] k = {c[0], c[0]};
                    int[] s = {c[1], c[1]};
                    int[] p = {c[2], c[2]};
                    int[] d = {c[3], c[3]};
                    int oh = outSize(7, k[0], p[0], s[0], d[0], false);
                    int ow = outSize(6, k[1], p[1], s[1], d[1], false);
                    double[] want = refMax(Tensor.wrap(v, 2, 2, 7, 6), k, s, p, d, oh, ow);
                    Tensor y = F.maxPool2d(src, k, s, p, d, false);
                    assertEquals(src.dtype(), y.dtype());
                    assertArrayEquals(new int[] {2, 2, oh, ow}, y.intShape());
                    double[] got = values(y);
                    int nans = 0;
                    for (int i = 0; i < want.length; i++) {
                        String what = Arrays.toString(c) + (f64 ? " f64" : " f32") + (view ? " view" : "") + " at " + i;
                        if (Double.isNaN(want[i])) {
                            nans++;
                            assertTrue(Double.isNaN(got[i]), what + ": expected NaN, found " + got[i]);
                        } else {
                            assertEquals(want[i], got[i], 0, what);
                        }
                    }
                    assertTrue(nans > 0 && nans < want.length, Arrays.toString(c) + ": NaN windows " + nans);
                }
            }
        }
    }

    private static float[] toFloats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return f;
    }

    private static double[] refAvg(Tensor x, int[] k, int[] s, int[] p, boolean countPad, int divisor,
                                   int oh, int ow) {
        int[] xs = x.intShape();
        int planes = xs[0] * xs[1];
        int h = xs[2];
        int w = xs[3];
        double[] v = values(x);
        double[] out = new double[planes * oh * ow];
        for (int q = 0; q < planes; q++) {
            for (int y = 0; y < oh; y++) {
                for (int xx = 0; xx < ow; xx++) {
                    double sum = 0;
                    int real = 0;
                    int padded = 0;
                    for (int i = 0; i < k[0]; i++) {
                        for (int j = 0; j < k[1]; j++) {
                            int iy = y * s[0] - p[0] + i;
                            int ix = xx * s[1] - p[1] + j;
                            // Positions beyond the padded border never count (ceil-mode overhang).
                            if (iy < h + p[0] && ix < w + p[1]) padded++;
                            if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                sum += v[(q * h + iy) * w + ix];
                                real++;
                            }
                        }
                    }
                    int div = divisor != 0 ? divisor : countPad ? padded : real;
                    out[(q * oh + y) * ow + xx] = real == 0 ? 0 : sum / div;
                }
            }
        }
        return out;
    }

    private static Tensor avg(Tensor x, int[] k, int[] s, int[] p, boolean ceil, boolean countPad, Integer div) {
        return Dispatcher.call1(Op.AVG_POOL2D, Attrs.of(Op.AVG_POOL2D).set("kernel_size", k).set("stride", s)
                .set("padding", p).set("ceil_mode", ceil).set("count_include_pad", countPad)
                .set("divisor_override", div).build(), x);
    }

    @Test
    void avgPoolConfigurations() {
        int[][] configs = {
            // h, w, kh, kw, sh, sw, ph, pw, ceil, countPad, divisor
            {6, 6, 2, 2, 2, 2, 0, 0, 0, 1, 0},
            {7, 7, 3, 3, 2, 2, 1, 1, 0, 1, 0},
            {7, 7, 3, 3, 2, 2, 1, 1, 0, 0, 0},
            {7, 8, 3, 2, 2, 2, 1, 1, 1, 1, 0},
            {7, 8, 3, 2, 2, 2, 1, 1, 1, 0, 0},
            {5, 5, 2, 2, 2, 2, 1, 1, 1, 1, 0},
            {6, 7, 3, 3, 3, 2, 1, 0, 1, 1, 5},
            {8, 8, 4, 4, 3, 3, 2, 2, 1, 0, 0},
        };
        for (int[] c : configs) {
            Tensor x = randF(rnd, 2, 2, c[0], c[1]);
            int[] k = {c[2], c[3]};
            int[] s = {c[4], c[5]};
            int[] p = {c[6], c[7]};
            boolean ceil = c[8] == 1;
            int oh = outSize(c[0], k[0], p[0], s[0], 1, ceil);
            int ow = outSize(c[1], k[1], p[1], s[1], 1, ceil);
            Tensor y = avg(x, k, s, p, ceil, c[9] == 1, c[10] == 0 ? null : c[10]);
            assertClose(y, x.dtype(), new int[] {2, 2, oh, ow}, refAvg(x, k, s, p, c[9] == 1, c[10], oh, ow), null,
                    1e-6);
        }
        Tensor xd = randD(rnd, 1, 2, 5, 5);
        int[] k = {3, 3};
        assertClose(avg(xd, k, new int[] {2, 2}, new int[] {1, 1}, false, false, null), xd.dtype(),
                new int[] {1, 2, 3, 3}, refAvg(xd, k, new int[] {2, 2}, new int[] {1, 1}, false, 0, 3, 3), null, 1e-14);
    }

    @Test
    void adaptiveAvgPool() {
        // float32 (its own path: float storage, four partial sums per row) and float64; windows narrower than,
        // equal to and wider than four columns, with remainders
        int[][] configs = {{7, 9, 3, 4}, {8, 8, 1, 1}, {5, 5, 5, 5}, {4, 6, 6, 9}, {10, 3, 4, 2}, {16, 13, 1, 1},
            {17, 18, 2, 3}};
        for (int run = 0; run < 2 * configs.length; run++) {
            int[] c = configs[run % configs.length];
            boolean f32 = run < configs.length;
            Tensor x = offsetView(f32 ? randF(rnd, 2, 3, c[0], c[1]) : randD(rnd, 2, 3, c[0], c[1]), 4, 1);
            double[] v = values(x);
            int oh = c[2];
            int ow = c[3];
            double[] ref = new double[6 * oh * ow];
            for (int q = 0; q < 6; q++) {
                for (int y = 0; y < oh; y++) {
                    int hs = (int) Math.floor((double) y * c[0] / oh);
                    int he = (int) Math.ceil((double) (y + 1) * c[0] / oh);
                    for (int xx = 0; xx < ow; xx++) {
                        int ws = (int) Math.floor((double) xx * c[1] / ow);
                        int we = (int) Math.ceil((double) (xx + 1) * c[1] / ow);
                        double sum = 0;
                        for (int i = hs; i < he; i++) for (int j = ws; j < we; j++) sum += v[(q * c[0] + i) * c[1] + j];
                        ref[(q * oh + y) * ow + xx] = sum / ((he - hs) * (we - ws));
                    }
                }
            }
            assertClose(F.adaptiveAvgPool2d(x, oh, ow), x.dtype(), new int[] {2, 3, oh, ow}, ref, null,
                    f32 ? 1e-6 : 1e-14);
        }
        assertArrayEquals(new int[] {3, 1, 1}, F.adaptiveAvgPool2d(randF(rnd, 3, 4, 4), 1).intShape());
    }

    @Test
    void emptyBatchAndErrors() {
        assertArrayEquals(new int[] {0, 3, 2, 2}, F.maxPool2d(randF(rnd, 0, 3, 4, 4), 2).intShape());
        assertArrayEquals(new int[] {0, 3, 2, 2}, F.avgPool2d(randF(rnd, 0, 3, 4, 4), 2).intShape());
        assertFails(() -> F.maxPool2d(randF(rnd, 1, 1, 4, 4), new int[] {2, 2}, null, new int[] {2, 2},
                new int[] {1, 1}, false), "aten::max_pool2d", "padding", "half", "[2, 2]");
        assertFails(() -> F.maxPool2d(randF(rnd, 1, 1, 2, 2), 3), "aten::max_pool2d", "output size", "2 x 2");
        assertFails(() -> F.maxPool2d(randF(rnd, 4, 4), 2), "aten::max_pool2d", "self", "3-d", "2-d");
        assertFails(() -> F.maxPool2d(Tensor.ofLongs(new long[16], 1, 1, 4, 4), 2), "aten::max_pool2d", "floating",
                "int64");
        assertFails(() -> avg(randF(rnd, 1, 1, 4, 4), new int[] {2, 2}, new int[] {2, 2}, new int[] {0, 0}, false,
                true, 0), "aten::avg_pool2d", "divisor_override", "0");
        assertFails(() -> F.adaptiveAvgPool2d(randF(rnd, 1, 1, 0, 4), 2), "aten::adaptive_avg_pool2d", "self");
        assertEquals(0, Arrays.stream(values(F.adaptiveAvgPool2d(randF(rnd, 1, 1, 3, 3), 0, 2))).count());
    }
}
