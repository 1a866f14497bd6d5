package dev.kiln.eager.kernels;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Parallel;
import dev.kiln.eager.Shapes;
import dev.kiln.eager.Storage;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.Attrs;
import dev.kiln.ir.DType;
import java.util.Arrays;

/**
 * {@code batch_norm} and {@code layer_norm}. Statistics accumulate in double (two passes: mean, then the
 * squared deviations), and normalisation uses the biased variance, as PyTorch does.
 */
final class NormKernels {
    private NormKernels() {}

    // ------------------------------------------------------------------ batch_norm

    /**
     * Normalises each channel (dim 1) of {@code input [N, C, *]}. Eval mode uses the running statistics; training
     * mode uses the batch's and then updates {@code runningMean}/{@code runningVar} in place (when given):
     * {@code r = (1 − momentum)·r + momentum·stat}, with the unbiased variance for {@code runningVar}. These
     * buffer updates are the op's documented side effect; the input is never written.
     */
    static Tensor batchNorm(Tensor input, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
                            Attrs attrs) {
        NnArgs.requireFloating(attrs, "input", input);
        if (input.dim() < 2) {
            throw new KilnException(attrs.op() + ": argument 'input' expected at least 2 dimensions (N, C, ...), found "
                    + input.dim() + "-d shape " + Arrays.toString(input.intShape()));
        }
        int[] shape = input.intShape();
        int n = shape[0];
        int c = shape[1];
        int spatial = (int) (Shapes.numel(shape) / Math.max(1, (long) n * c));
        if ((long) n * c == 0) spatial = (int) Shapes.numel(Arrays.copyOfRange(shape, 2, shape.length));
        checkPerChannel(attrs, "weight", weight, c);
        checkPerChannel(attrs, "bias", bias, c);
        checkPerChannel(attrs, "running_mean", runningMean, c);
        checkPerChannel(attrs, "running_var", runningVar, c);
        boolean training = attrs.getBool("training");
        double momentum = attrs.getFloat("momentum");
        double eps = attrs.getFloat("eps");
        long count = (long) n * spatial;
        if (training && count <= 1) {
            throw new KilnException(attrs.op() + ": expected more than 1 value per channel when training, found input"
                    + " shape " + Arrays.toString(shape));
        }
        if (!training && (runningMean == null || runningVar == null)) {
            throw new KilnException(attrs.op() + ": argument '" + (runningMean == null ? "running_mean" : "running_var")
                    + "' expected a tensor in evaluation mode (training=false), found null");
        }
        double[] x = Dense.toDoubles(input);
        double[] mean = new double[c];
        double[] var = new double[c];
        final int s = spatial;
        if (training) {
            int perChannel = (int) Math.min(count, Integer.MAX_VALUE);
            Parallel.forRange(c, Math.max(1, Parallel.ELEMENTWISE_GRAIN / perChannel), (c0, c1) -> {
                        for (int ch = c0; ch < c1; ch++) {
                            double sum = 0;
                            for (int b = 0; b < n; b++) {
                                int base = (b * c + ch) * s;
                                for (int i = 0; i < s; i++) sum += x[base + i];
                            }
                            double m = sum / count;
                            double sq = 0;
                            for (int b = 0; b < n; b++) {
                                int base = (b * c + ch) * s;
                                for (int i = 0; i < s; i++) {
                                    double d = x[base + i] - m;
                                    sq += d * d;
                                }
                            }
                            mean[ch] = m;
                            var[ch] = sq / count;
                        }
                    });
            if (runningMean != null) updateRunning(runningMean, mean, momentum, 1.0);
            if (runningVar != null) updateRunning(runningVar, var, momentum, count / (count - 1.0));
        } else {
            System.arraycopy(Dense.toDoubles(runningMean), 0, mean, 0, c);
            System.arraycopy(Dense.toDoubles(runningVar), 0, var, 0, c);
        }
        // y = x·scale + shift with scale = w / sqrt(var + eps), shift = b − mean·scale.
        double[] w = weight == null ? null : Dense.toDoubles(weight);
        double[] bb = bias == null ? null : Dense.toDoubles(bias);
        double[] scale = new double[c];
        double[] shift = new double[c];
        for (int ch = 0; ch < c; ch++) {
            double inv = 1.0 / Math.sqrt(var[ch] + eps);
            scale[ch] = (w == null ? 1.0 : w[ch]) * inv;
            shift[ch] = (bb == null ? 0.0 : bb[ch]) - mean[ch] * scale[ch];
        }
        double[] y = new double[x.length];
        Parallel.forRange(n * c, Math.max(1, Parallel.ELEMENTWISE_GRAIN / Math.max(1, s)), (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int ch = p % c;
                int base = p * s;
                for (int i = 0; i < s; i++) y[base + i] = x[base + i] * scale[ch] + shift[ch];
            }
        });
        return Dense.fromDoubles(input.dtype(), shape, y);
    }

    private static void checkPerChannel(Attrs attrs, String arg, Tensor t, int c) {
        if (t == null) return;
        if (t.dim() != 1 || t.intShape()[0] != c) {
            throw new KilnException(attrs.op() + ": argument '" + arg + "' expected shape [" + c + "] (one value per "
                    + "channel of 'input'), found " + Arrays.toString(t.intShape()));
        }
        if (!t.dtype().isFloatingPoint()) {
            throw new KilnException(attrs.op() + ": argument '" + arg + "' expected a floating dtype, found "
                    + t.dtype().torchName());
        }
    }

    /** {@code r[i] = (1 − momentum)·r[i] + momentum·factor·stat[i]}, written through {@code r}'s own strides. */
    private static void updateRunning(Tensor r, double[] stat, double momentum, double factor) {
        Storage st = r.storage();
        int off = r.storageOffset();
        int step = r.strides()[0];
        for (int i = 0; i < stat.length; i++) {
            int at = off + i * step;
            st.setDouble(at, (1 - momentum) * st.getDouble(at) + momentum * factor * stat[i]);
        }
    }

    // ------------------------------------------------------------------ layer_norm

    /** Normalises over the trailing {@code normalized_shape} dims; {@code weight}/{@code bias} have that shape. */
    static Tensor layerNorm(Tensor input, Tensor weight, Tensor bias, Attrs attrs) {
        return layerNorm(input, weight, bias, attrs, null);
    }

    /**
     * {@link #layerNorm(Tensor, Tensor, Tensor, Attrs)}; a float32 result in {@code into} when it fits
     * ({@link Dense#resultInto}).
     */
    static Tensor layerNorm(Tensor input, Tensor weight, Tensor bias, Attrs attrs, float[] into) {
        NnArgs.requireFloating(attrs, "input", input);
        long[] ns = attrs.getInts("normalized_shape");
        int[] shape = input.intShape();
        int lead = shape.length - ns.length;
        boolean matches = ns.length >= 1 && lead >= 0;
        for (int i = 0; matches && i < ns.length; i++) matches = shape[lead + i] == ns[i];
        if (!matches) {
            throw new KilnException(attrs.op() + ": argument 'normalized_shape' " + Arrays.toString(ns)
                    + " expected to match the trailing dimensions of 'input', found input shape "
                    + Arrays.toString(shape));
        }
        int inner = 1;
        for (long v : ns) inner *= (int) v;
        for (String arg : new String[] {"weight", "bias"}) {
            Tensor t = arg.equals("weight") ? weight : bias;
            if (t != null && !Arrays.equals(Shapes.toLongs(t.intShape()), ns)) {
                throw new KilnException(attrs.op() + ": argument '" + arg + "' expected shape " + Arrays.toString(ns)
                        + " (normalized_shape), found " + Arrays.toString(t.intShape()));
            }
            NnArgs.requireDtype(attrs, arg, t, input.dtype());
        }
        double eps = attrs.getFloat("eps");
        if (input.dtype() == DType.FLOAT32) return layerNormFloat(input, weight, bias, inner, eps, into);
        double[] x = Dense.toDoubles(input);
        double[] w = weight == null ? null : Dense.toDoubles(weight);
        double[] b = bias == null ? null : Dense.toDoubles(bias);
        double[] y = new double[x.length];
        int rows = inner == 0 ? 0 : x.length / inner;
        final int d = inner;
        Parallel.forRange(rows, Math.max(1, Parallel.ELEMENTWISE_GRAIN / Math.max(1, d)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int base = r * d;
                double sum = 0;
                for (int i = 0; i < d; i++) sum += x[base + i];
                double mean = sum / d;
                double sq = 0;
                for (int i = 0; i < d; i++) {
                    double dv = x[base + i] - mean;
                    sq += dv * dv;
                }
                double inv = 1.0 / Math.sqrt(sq / d + eps);
                for (int i = 0; i < d; i++) {
                    double v = (x[base + i] - mean) * inv;
                    if (w != null) v *= w[i];
                    if (b != null) v += b[i];
                    y[base + i] = v;
                }
            }
        });
        return Dense.fromDoubles(input.dtype(), shape, y);
    }

    /**
     * Float32 {@code layer_norm} on the float arrays (a contiguous copy only for views): the general path's double
     * arithmetic — mean, variance and {@code (x - mean) / sqrt(var + eps) * w + b} in double, one rounding to float —
     * without its double copies of the input and the result, and with the row sums in four partial sums
     * ({@link RowSums}).
     */
    private static Tensor layerNormFloat(Tensor input, Tensor weight, Tensor bias, int d, double eps, float[] into) {
        Tensor xc = Dense.contiguous(input);
        float[] x = xc.storage().floats();
        int xo = xc.storageOffset();
        Tensor wc = weight == null ? null : Dense.contiguous(weight);
        Tensor bc = bias == null ? null : Dense.contiguous(bias);
        float[] w = wc == null ? null : wc.storage().floats();
        int wo = wc == null ? 0 : wc.storageOffset();
        float[] b = bc == null ? null : bc.storage().floats();
        int bo = bc == null ? 0 : bc.storageOffset();
        Tensor out = Dense.resultInto(into, DType.FLOAT32, input.intShape());
        float[] y = out.storage().floats();
        int rows = d == 0 ? 0 : (int) (input.numel() / d);
        Parallel.forRange(rows, Math.max(1, Parallel.ELEMENTWISE_GRAIN / Math.max(1, d)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int base = xo + r * d;
                double mean = RowSums.sum(x, base, d) / d;
                double inv = 1.0 / Math.sqrt(RowSums.squaredDeviations(x, base, d, mean) / d + eps);
                int o = r * d;
                for (int i = 0; i < d; i++) {
                    double v = (x[base + i] - mean) * inv;
                    if (w != null) v *= w[wo + i];
                    if (b != null) v += b[bo + i];
                    y[o + i] = (float) v;
                }
            }
        });
        return out;
    }
}
