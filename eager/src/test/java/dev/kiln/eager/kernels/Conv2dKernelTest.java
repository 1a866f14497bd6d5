package dev.kiln.eager.kernels;

import static dev.kiln.eager.kernels.KernelTesting.assertClose;
import static dev.kiln.eager.kernels.KernelTesting.assertFails;
import static dev.kiln.eager.kernels.KernelTesting.offsetView;
import static dev.kiln.eager.kernels.KernelTesting.randD;
import static dev.kiln.eager.kernels.KernelTesting.randF;
import static dev.kiln.eager.kernels.KernelTesting.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.kiln.eager.Tensor;
import dev.kiln.eager.nn.F;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Conv2dKernelTest {
    private final Random rnd = new Random(7);

    /** Direct-convolution reference in float64: returns {value, sum of |terms|} for an [N, O, oh, ow] output. */
    private static double[][] reference(Tensor x, Tensor w, Tensor b, int[] s, int[] p, int[] d, int g,
                                        int oh, int ow) {
        int[] xs = x.intShape();
        int[] ws = w.intShape();
        int n = xs[0];
        int c = xs[1];
        int h = xs[2];
        int wd = xs[3];
        int o = ws[0];
        int cg = c / g;
        int og = o / g;
        double[] xv = values(x);
        double[] wv = values(w);
        double[] bv = b == null ? null : values(b);
        double[] out = new double[n * o * oh * ow];
        double[] sc = new double[out.length];
        for (int bi = 0; bi < n; bi++) {
            for (int oc = 0; oc < o; oc++) {
                int grp = oc / og;
                for (int y = 0; y < oh; y++) {
                    for (int xx = 0; xx < ow; xx++) {
                        double sum = bv == null ? 0 : bv[oc];
                        double abs = Math.abs(sum);
                        for (int ci = 0; ci < cg; ci++) {
                            for (int ki = 0; ki < ws[2]; ki++) {
                                for (int kj = 0; kj < ws[3]; kj++) {
                                    int iy = y * s[0] - p[0] + ki * d[0];
                                    int ix = xx * s[1] - p[1] + kj * d[1];
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                                    int cin = grp * cg + ci;
                                    double t = xv[((bi * c + cin) * h + iy) * wd + ix]
                                            * wv[((oc * cg + ci) * ws[2] + ki) * ws[3] + kj];
                                    sum += t;
                                    abs += Math.abs(t);
                                }
                            }
                        }
                        int at = ((bi * o + oc) * oh + y) * ow + xx;
                        out[at] = sum;
                        sc[at] = abs;
                    }
                }
            }
        }
        return new double[][] {out, sc};
    }

    private void check(Tensor x, Tensor w, Tensor b, int[] s, int[] p, int[] d, int g) {
        int[] xs = x.intShape();
        int[] ws = w.intShape();
        int oh = (xs[2] + 2 * p[0] - d[0] * (ws[2] - 1) - 1) / s[0] + 1;
        int ow = (xs[3] + 2 * p[1] - d[1] * (ws[3] - 1) - 1) / s[1] + 1;
        double[][] ref = reference(x, w, b, s, p, d, g, oh, ow);
        Tensor y = F.conv2d(x, w, b, s, p, d, g);
        assertClose(y, x.dtype(), new int[] {xs[0], ws[0], oh, ow}, ref[0], ref[1], 1e-5);
    }

    @Test
    void randomConfigurations() {
        int[][] configs = {
            // n, c, h, w, o, kh, kw, sh, sw, ph, pw, dh, dw, groups, bias
            {1, 1, 5, 5, 1, 3, 3, 1, 1, 0, 0, 1, 1, 1, 1},
            {2, 3, 8, 7, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},
            {2, 4, 9, 9, 6, 3, 2, 2, 1, 1, 0, 1, 1, 2, 0},
            {1, 6, 11, 10, 6, 3, 3, 2, 3, 2, 1, 2, 1, 3, 1},
            {3, 4, 6, 6, 8, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1},   // pointwise: no im2col
            {2, 4, 6, 6, 8, 1, 1, 1, 1, 0, 0, 1, 1, 4, 0},   // pointwise, grouped
            {1, 4, 7, 7, 4, 3, 3, 1, 1, 1, 1, 1, 1, 4, 1},   // depthwise
            {2, 2, 5, 6, 3, 5, 6, 1, 1, 2, 2, 1, 1, 1, 1},   // kernel bigger than padded-less input
            {1, 3, 13, 12, 5, 3, 3, 3, 2, 0, 1, 3, 2, 1, 1},
            {1, 1, 4, 4, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 0},
        };
        for (int[] cf : configs) {
            Tensor x = randF(rnd, cf[0], cf[1], cf[2], cf[3]);
            Tensor w = randF(rnd, cf[4], cf[1] / cf[13], cf[5], cf[6]);
            Tensor b = cf[14] == 1 ? randF(rnd, cf[4]) : null;
            check(x, w, b, new int[] {cf[7], cf[8]}, new int[] {cf[9], cf[10]}, new int[] {cf[11], cf[12]}, cf[13]);
        }
    }

    @Test
    void nonContiguousInputsAndFloat64() {
        Tensor x = offsetView(randF(rnd, 2, 3, 6, 5), 17, 2);
        Tensor w = offsetView(randF(rnd, 4, 3, 3, 3), 5, 1);
        Tensor b = offsetView(randF(rnd, 4), 3, 0);
        check(x, w, b, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1);
        // Channels-last-like strides: [N, C, H, W] view of an [N, H, W, C] array.
        Tensor nhwc = randF(rnd, 2, 5, 4, 3);
        Tensor cl = Tensor.fromStorage(nhwc.storage(), new int[] {2, 3, 5, 4}, new int[] {60, 1, 12, 3}, 0);
        check(cl, randF(rnd, 2, 3, 2, 2), null, new int[] {1, 2}, new int[] {0, 1}, new int[] {2, 1}, 1);
        Tensor xd = randD(rnd, 1, 2, 5, 5);
        Tensor wd = randD(rnd, 2, 1, 3, 3);
        int[] xs = xd.intShape();
        double[][] ref = reference(xd, wd, null, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 2, 5, 5);
        assertClose(F.conv2d(xd, wd, null, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 2),
                xd.dtype(), new int[] {xs[0], 2, 5, 5}, ref[0], ref[1], 1e-13);
    }

    @Test
    void unbatchedAndEmptyBatch() {
        Tensor x = randF(rnd, 3, 6, 6);
        Tensor w = randF(rnd, 2, 3, 3, 3);
        Tensor y = F.conv2d(x, w, null);
        assertArrayEquals(new int[] {2, 4, 4}, y.intShape());
        Tensor x4 = Tensor.fromStorage(x.storage(), new int[] {1, 3, 6, 6}, new int[] {108, 36, 6, 1}, 0);
        double[][] ref = reference(x4, w, null, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 1, 4, 4);
        assertClose(y, x.dtype(), new int[] {2, 4, 4}, ref[0], ref[1], 1e-5);
        assertArrayEquals(new int[] {0, 2, 4, 4}, F.conv2d(randF(rnd, 0, 3, 6, 6), w, null).intShape());
    }

    @Test
    void errors() {
        Tensor w = randF(rnd, 8, 3, 3, 3);
        assertFails(() -> F.conv2d(randF(rnd, 1, 4, 5, 5), w, null), "aten::conv2d", "weight", "3 channels",
                "4 channels");
        assertFails(() -> F.conv2d(randF(rnd, 1, 6, 5, 5), w, null, new int[] {1, 1}, new int[] {0, 0},
                new int[] {1, 1}, 3), "aten::conv2d", "weight", "groups=3", "8");
        assertFails(() -> F.conv2d(randF(rnd, 1, 3, 2, 2), w, null), "aten::conv2d", "kernel");
        assertFails(() -> F.conv2d(randF(rnd, 1, 3, 5, 5), w, randF(rnd, 7)), "aten::conv2d", "bias", "[8]", "[7]");
        assertFails(() -> F.conv2d(randF(rnd, 1, 3, 5, 5), w, null, new int[] {0, 1}, new int[] {0, 0},
                new int[] {1, 1}, 1), "aten::conv2d", "stride");
        assertFails(() -> F.conv2d(randD(rnd, 1, 3, 5, 5), w, null), "aten::conv2d", "float64", "float32");
        assertFails(() -> F.conv2d(randF(rnd, 3, 5, 5), randF(rnd, 3, 3, 3), null), "aten::conv2d", "weight", "4-d");
    }
}
