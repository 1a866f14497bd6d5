package dev.kiln.passes.freeze;

import dev.kiln.ir.DType;
import dev.kiln.ir.Op;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.NodeKind;
import dev.kiln.ir.graph.TensorData;
import dev.kiln.ir.graph.Value;
import dev.kiln.passes.util.Consts;

/**
 * The arithmetic of folding an eval-mode batch norm into the affine op before it (conv2d or linear), as PyTorch's
 * {@code fuse_conv_bn_weights}: with {@code s = gamma / sqrt(var + eps)} per output channel, {@code W' = W * s}
 * (scaling each output channel's slice) and {@code b' = (b - mean) * s + beta}. Computed in double precision and
 * rounded once to the weight's dtype. Absent gamma/beta mean 1/0, an absent bias 0.
 */
final class BatchNormFolding {
    private BatchNormFolding() {}

    /** The batch norm's folding parameters, or null when it is not an eval-mode norm over constant statistics. */
    record Stats(double[] scale, double[] shift) {
    }

    /** {@code bn} as {@code y = x * scale + shift} per channel, or null when that is not known at compile time. */
    static Stats stats(Node bn, long channels) {
        NodeKind.OpCall call = (NodeKind.OpCall) bn.kind();
        if (call.op() != Op.BATCH_NORM || call.attrs().getBool("training")) return null;
        double[] gamma = vector(bn.input(1), channels, 1.0);
        double[] beta = vector(bn.input(2), channels, 0.0);
        TensorData mean = Consts.of(bn.input(3));
        TensorData var = Consts.of(bn.input(4));
        if (gamma == null || beta == null || mean == null || var == null) return null;
        double[] m = vector(bn.input(3), channels, 0);
        double[] v = vector(bn.input(4), channels, 0);
        if (m == null || v == null) return null;
        double eps = call.attrs().getFloat("eps");
        double[] scale = new double[(int) channels];
        double[] shift = new double[(int) channels];
        for (int c = 0; c < channels; c++) {
            scale[c] = gamma[c] / Math.sqrt(v[c] + eps);
            shift[c] = beta[c] - m[c] * scale[c];
        }
        return new Stats(scale, shift);
    }

    /** A constant 1-d vector of {@code n} floats as doubles; {@code absent} fills an absent input; null otherwise. */
    static double[] vector(Value v, long n, double absent) {
        if (v == null) {
            double[] out = new double[(int) n];
            java.util.Arrays.fill(out, absent);
            return out;
        }
        TensorData d = Consts.of(v);
        if (d == null || d.shape().length != 1 || d.shape()[0] != n || !d.dtype().isFloatingPoint()) return null;
        double[] out = new double[(int) n];
        for (int i = 0; i < n; i++) out[i] = (Double) d.element(i);
        return out;
    }

    /** {@code W * scale[c]} for each output channel {@code c} (dim 0 of W). */
    static TensorData scaleWeight(TensorData w, double[] scale) {
        int per = w.numel() / scale.length;
        double[] out = new double[w.numel()];
        for (int i = 0; i < out.length; i++) out[i] = (Double) w.element(i) * scale[i / per];
        return pack(w.dtype(), w.shape(), out);
    }

    /** {@code b * scale + shift} (the norm applied to the old bias). */
    static TensorData bias(double[] b, Stats s, DType dtype) {
        double[] out = new double[b.length];
        for (int i = 0; i < out.length; i++) out[i] = b[i] * s.scale()[i] + s.shift()[i];
        return pack(dtype, new long[] {b.length}, out);
    }

    static TensorData pack(DType dtype, long[] shape, double[] values) {
        if (dtype == DType.FLOAT64) return TensorData.of(dtype, shape, values);
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) f[i] = (float) values[i];
        return TensorData.of(DType.FLOAT32, shape, f);
    }
}
