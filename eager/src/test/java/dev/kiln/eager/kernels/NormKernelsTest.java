package dev.kiln.eager.kernels;

import static dev.kiln.eager.kernels.KernelTesting.assertClose;
import static dev.kiln.eager.kernels.KernelTesting.assertFails;
import static dev.kiln.eager.kernels.KernelTesting.offsetView;
import static dev.kiln.eager.kernels.KernelTesting.randD;
import static dev.kiln.eager.kernels.KernelTesting.randF;
import static dev.kiln.eager.kernels.KernelTesting.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.eager.Tensor;
import dev.kiln.eager.nn.F;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NormKernelsTest {
    private final Random rnd = new Random(3);

    /** Reference batch norm with given per-channel mean/var (biased var for normalisation). */
    private static double[] refBn(double[] x, int n, int c, int s, double[] mean, double[] var, double[] w,
                                  double[] b, double eps) {
        double[] y = new double[x.length];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int k = 0; k < s; k++) {
                    int at = (i * c + ch) * s + k;
                    double v = (x[at] - mean[ch]) / Math.sqrt(var[ch] + eps);
                    y[at] = v * (w == null ? 1 : w[ch]) + (b == null ? 0 : b[ch]);
                }
            }
        }
        return y;
    }

    @Test
    void batchNormEvalUsesRunningStats() {
        Tensor x = randF(rnd, 2, 3, 4, 5);
        Tensor rm = randF(rnd, 3);
        Tensor rv = Tensor.of(new float[] {0.5f, 1.5f, 2f});
        Tensor w = randF(rnd, 3);
        Tensor b = randF(rnd, 3);
        Tensor y = F.batchNorm(x, rm, rv, w, b, false, 0.1, 1e-5);
        double[] ref = refBn(values(x), 2, 3, 20, values(rm), values(rv), values(w), values(b), 1e-5);
        assertClose(y, x.dtype(), new int[] {2, 3, 4, 5}, ref, null, 1e-5);
        // Running buffers untouched in eval; weight/bias optional; 2-d input; non-contiguous input.
        assertArrayEquals(new double[] {0.5, 1.5, 2}, values(rv));
        Tensor x2 = offsetView(randF(rnd, 4, 3), 5, 2);
        double[] ref2 = refBn(values(x2), 4, 3, 1, values(rm), values(rv), null, null, 1e-3);
        assertClose(F.batchNorm(x2, rm, rv, null, null, false, 0.1, 1e-3), x2.dtype(), new int[] {4, 3}, ref2, null,
                1e-5);
    }

    @Test
    void batchNormTrainingUsesBatchStatsAndUpdatesRunningBuffers() {
        int n = 3;
        int c = 2;
        int s = 6;
        Tensor x = randD(rnd, n, c, 2, 3);
        double[] xv = values(x);
        double[] mean = new double[c];
        double[] var = new double[c];
        for (int ch = 0; ch < c; ch++) {
            double sum = 0;
            for (int i = 0; i < n; i++) for (int k = 0; k < s; k++) sum += xv[(i * c + ch) * s + k];
            mean[ch] = sum / (n * s);
            double sq = 0;
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < s; k++) sq += Math.pow(xv[(i * c + ch) * s + k] - mean[ch], 2);
            }
            var[ch] = sq / (n * s);
        }
        Tensor rm = Tensor.of(new double[] {0.25, -1});
        Tensor rv = Tensor.of(new double[] {2, 0.5});
        Tensor w = randD(rnd, c);
        Tensor y = F.batchNorm(x, rm, rv, w, null, true, 0.2, 1e-5);
        assertClose(y, x.dtype(), new int[] {n, c, 2, 3}, refBn(xv, n, c, s, mean, var, values(w), null, 1e-5),
                null, 1e-12);
        double unbiased = (double) (n * s) / (n * s - 1);
        assertArrayEquals(new double[] {0.8 * 0.25 + 0.2 * mean[0], 0.8 * -1 + 0.2 * mean[1]}, values(rm), 1e-14);
        assertArrayEquals(new double[] {0.8 * 2 + 0.2 * var[0] * unbiased, 0.8 * 0.5 + 0.2 * var[1] * unbiased},
                values(rv), 1e-14);
        // Without running buffers (track_running_stats=False) training still normalises with batch stats.
        Tensor y2 = F.batchNorm(x, null, null, null, null, true, 0.1, 1e-5);
        assertClose(y2, x.dtype(), new int[] {n, c, 2, 3}, refBn(xv, n, c, s, mean, var, null, null, 1e-5), null,
                1e-12);
        // Running buffers that are strided views are updated through their strides.
        Tensor big = Tensor.of(new float[] {9, 1, 9, 2, 9});
        Tensor view = Tensor.fromStorage(big.storage(), new int[] {2}, new int[] {2}, 1);
        F.batchNorm(randF(rnd, 4, 2), view, null, null, null, true, 0.5, 1e-5);
        assertEquals(9f, big.storage().floats()[0]);
        assertEquals(9f, big.storage().floats()[2]);
        assertEquals(9f, big.storage().floats()[4]);
    }

    @Test
    void batchNormErrors() {
        assertFails(() -> F.batchNorm(randF(rnd, 2, 3), null, null, null, null, false, 0.1, 1e-5),
                "aten::batch_norm", "running_mean", "null");
        assertFails(() -> F.batchNorm(randF(rnd, 2, 3), randF(rnd, 4), randF(rnd, 4), null, null, false, 0.1, 1e-5),
                "aten::batch_norm", "running_mean", "[3]", "[4]");
        assertFails(() -> F.batchNorm(randF(rnd, 1, 3), null, null, null, null, true, 0.1, 1e-5),
                "aten::batch_norm", "more than 1 value", "[1, 3]");
        assertFails(() -> F.batchNorm(randF(rnd, 3), null, null, null, null, true, 0.1, 1e-5),
                "aten::batch_norm", "input", "2 dimensions", "1-d");
    }

    @Test
    void layerNorm() {
        Tensor x = offsetView(randF(rnd, 2, 3, 4, 5), 3, 1);
        Tensor w = randF(rnd, 4, 5);
        Tensor b = randF(rnd, 4, 5);
        double[] xv = values(x);
        double[] wv = values(w);
        double[] bv = values(b);
        int d = 20;
        double[] ref = new double[xv.length];
        double[] refNoAffine = new double[xv.length];
        for (int r = 0; r < xv.length / d; r++) {
            double mean = 0;
            for (int i = 0; i < d; i++) mean += xv[r * d + i] / d;
            double var = 0;
            for (int i = 0; i < d; i++) var += Math.pow(xv[r * d + i] - mean, 2) / d;
            for (int i = 0; i < d; i++) {
                double v = (xv[r * d + i] - mean) / Math.sqrt(var + 1e-5);
                refNoAffine[r * d + i] = v;
                ref[r * d + i] = v * wv[i] + bv[i];
            }
        }
        assertClose(F.layerNorm(x, new long[] {4, 5}, w, b, 1e-5), x.dtype(), x.intShape(), ref, null, 1e-5);
        assertClose(F.layerNorm(x, new long[] {4, 5}, null, null, 1e-5), x.dtype(), x.intShape(), refNoAffine, null,
                1e-5);
        assertArrayEquals(new int[] {0, 5}, F.layerNorm(randF(rnd, 0, 5), new long[] {5}, null, null, 1e-5).intShape());
        assertFails(() -> F.layerNorm(randF(rnd, 2, 3, 5), new long[] {4, 5}, null, null, 1e-5), "aten::layer_norm",
                "normalized_shape", "[4, 5]", "[2, 3, 5]");
        assertFails(() -> F.layerNorm(randF(rnd, 2, 5), new long[] {5}, randF(rnd, 4), null, 1e-5), "aten::layer_norm",
                "weight", "[5]", "[4]");
    }
}
