package dev.kiln.eager.kernels;

import dev.kiln.eager.Parallel;
import dev.kiln.eager.Storage;
import dev.kiln.ir.DType;

/**
 * Numerically stable softmax and log-softmax along the middle dim of a contiguous {@code [outer, n, inner]}
 * layout, computed in double: {@code exp(x - max) / Σ exp(x - max)} and {@code x - max - log Σ exp(x - max)}.
 *
 * <p>When the dim is the last one ({@code inner == 1}) each row is loaded into a per-thread double row, so exp
 * runs once per element. Otherwise a task handles a block of contiguous columns and makes three passes over
 * the rows (max; exp and sum, parked in the output; normalise), so exp also runs once per element there.
 * Float32 over the last dim takes a float path with {@link FastMath32}'s exp ({@link #lastDimFloat}). A row containing NaN gives NaN, as in PyTorch; so does a row of all {@code -inf}.
 */
final class Softmax {
    private Softmax() {}

    /**
     * @param src the input, contiguous from {@code base}, already of the result dtype
     * @param out the contiguous output storage, same dtype
     */
    static void run(Storage src, int base, int outer, int n, int inner, boolean log, Storage out) {
        if (outer == 0 || n == 0 || inner == 0) return;
        if (inner == 1 && src.dtype() == DType.FLOAT32) {
            lastDimFloat(src.floats(), base, outer, n, log, out.floats());
            return;
        }
        if (inner == 1) {
            int grain = Math.max(1, Parallel.ELEMENTWISE_GRAIN / 4 / n);
            Parallel.forRange(outer, grain, (s, e) -> {
                double[] row = new double[n];
                for (int o = s; o < e; o++) {
                    RowIO.loadDouble(src, base + o * n, 1, n, row, false);
                    lastDim(row, n, log);
                    RowIO.storeDouble(row, out, o * n, n);
                }
            });
            return;
        }
        int block = Math.min(inner, RowIO.CHUNK);
        int blocks = (inner + block - 1) / block;
        int grain = (int) Math.max(1, Parallel.ELEMENTWISE_GRAIN / 4 / ((long) n * block));
        Parallel.forRange(outer * blocks, grain, (ws, we) -> {
            double[] max = new double[block];
            double[] sum = new double[block];
            double[] buf = new double[block];
            for (int w = ws; w < we; w++) {
                int o = w / blocks;
                int j0 = (w % blocks) * block;
                int m = Math.min(block, inner - j0);
                int start = o * n * inner + j0;
                middleDim(src, base + start, n, inner, m, log, max, sum, buf, out, start);
            }
        });
    }

    /**
     * Float32 softmax over the last dim, as ATen's vectorised float kernel: {@code x - max} in float, exp by
     * {@link FastMath32} (≤ 1 ulp), the sum in double, one float division (softmax) or subtraction of the double
     * log-sum (log_softmax) per element.
     */
    private static void lastDimFloat(float[] src, int base, int outer, int n, boolean log, float[] out) {
        int grain = Math.max(1, Parallel.ELEMENTWISE_GRAIN / 4 / n);
        Parallel.forRange(outer, grain, (s, e) -> {
            float[] row = new float[n];
            for (int o = s; o < e; o++) {
                int at = base + o * n;
                float max = Float.NEGATIVE_INFINITY;
                for (int i = 0; i < n; i++) max = Math.max(max, src[at + i]); // Math.max propagates NaN
                for (int i = 0; i < n; i++) row[i] = src[at + i] - max;
                FastMath32.exp(row, 0, out, o * n, n);
                double sum = 0;
                for (int i = 0; i < n; i++) sum += out[o * n + i];
                if (log) {
                    double logSum = Math.log(sum);
                    for (int i = 0; i < n; i++) out[o * n + i] = (float) (row[i] - logSum);
                } else {
                    float total = (float) sum;
                    for (int i = 0; i < n; i++) out[o * n + i] /= total;
                }
            }
        });
    }

    private static void lastDim(double[] row, int n, boolean log) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, row[i]); // Math.max propagates NaN
        double sum = 0;
        if (log) {
            for (int i = 0; i < n; i++) sum += Math.exp(row[i] - max);
            double logSum = Math.log(sum);
            for (int i = 0; i < n; i++) row[i] = (row[i] - max) - logSum;
        } else {
            for (int i = 0; i < n; i++) {
                double e = Math.exp(row[i] - max);
                row[i] = e;
                sum += e;
            }
            for (int i = 0; i < n; i++) row[i] /= sum;
        }
    }

    private static void middleDim(Storage src, int start, int n, int inner, int m, boolean log, double[] max,
            double[] sum, double[] buf, Storage out, int outStart) {
        java.util.Arrays.fill(max, 0, m, Double.NEGATIVE_INFINITY);
        java.util.Arrays.fill(sum, 0, m, 0.0);
        for (int r = 0; r < n; r++) {
            RowIO.loadDouble(src, start + r * inner, 1, m, buf, false);
            for (int j = 0; j < m; j++) max[j] = Math.max(max[j], buf[j]);
        }
        if (log) {
            for (int r = 0; r < n; r++) {
                RowIO.loadDouble(src, start + r * inner, 1, m, buf, false);
                for (int j = 0; j < m; j++) sum[j] += Math.exp(buf[j] - max[j]);
            }
            for (int j = 0; j < m; j++) sum[j] = Math.log(sum[j]);
            for (int r = 0; r < n; r++) {
                RowIO.loadDouble(src, start + r * inner, 1, m, buf, false);
                for (int j = 0; j < m; j++) buf[j] = (buf[j] - max[j]) - sum[j];
                RowIO.storeDouble(buf, out, outStart + r * inner, m);
            }
            return;
        }
        // Softmax: park exp(x - max) in the output (one exp per element), then normalise it in place. For a
        // float32 output the parked value is rounded once more, as ATen's vectorised kernel also does.
        for (int r = 0; r < n; r++) {
            RowIO.loadDouble(src, start + r * inner, 1, m, buf, false);
            for (int j = 0; j < m; j++) {
                buf[j] = Math.exp(buf[j] - max[j]);
                sum[j] += buf[j];
            }
            RowIO.storeDouble(buf, out, outStart + r * inner, m);
        }
        for (int r = 0; r < n; r++) {
            RowIO.loadDouble(out, outStart + r * inner, 1, m, buf, false);
            for (int j = 0; j < m; j++) buf[j] /= sum[j];
            RowIO.storeDouble(buf, out, outStart + r * inner, m);
        }
    }
}
