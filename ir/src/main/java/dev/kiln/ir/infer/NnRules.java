package dev.kiln.ir.infer;

import static dev.kiln.ir.infer.Args.error;
import static dev.kiln.ir.infer.Args.one;
import static dev.kiln.ir.infer.Args.pair;

import dev.kiln.ir.Attrs;
import dev.kiln.ir.Op;
import dev.kiln.ir.sym.SymExpr;
import dev.kiln.ir.type.Shape;
import dev.kiln.ir.type.TensorType;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Rules of the neural-network ops. Spatial output sizes follow ATen's formula
 * {@code floor((in + 2*pad - dilation*(kernel-1) - 1) / stride) + 1}, kept symbolic when {@code in} is.
 */
final class NnRules {
    private NnRules() {}

    static void register(Map<Op, TypeRule> t) {
        t.put(Op.CONV2D, NnRules::conv2d);
        t.put(Op.MAX_POOL2D, (in, a) -> pool(Op.MAX_POOL2D, in.get(0), a, pair(Op.MAX_POOL2D, "dilation",
                a.getInts("dilation"))));
        t.put(Op.AVG_POOL2D, (in, a) -> pool(Op.AVG_POOL2D, in.get(0), a, new long[] {1, 1}));
        t.put(Op.ADAPTIVE_AVG_POOL2D, (in, a) -> {
            TensorType x = in.get(0);
            Args.requireRank(Op.ADAPTIVE_AVG_POOL2D, "self", x, 3, 4);
            long[] size = pair(Op.ADAPTIVE_AVG_POOL2D, "output_size", a.getInts("output_size"));
            if (size[0] < 0 || size[1] < 0) {
                throw error(Op.ADAPTIVE_AVG_POOL2D, "output_size", "non-negative sizes", Arrays.toString(size));
            }
            return one(spatial(x, SymExpr.of(size[0]), SymExpr.of(size[1])));
        });
        t.put(Op.BATCH_NORM, NnRules::batchNorm);
        t.put(Op.LAYER_NORM, NnRules::layerNorm);
        t.put(Op.EMBEDDING, (in, a) -> {
            TensorType w = in.get(0), idx = in.get(1);
            Args.requireRank(Op.EMBEDDING, "weight", w, 2);
            if (!idx.dtype().isIntegral()) throw error(Op.EMBEDDING, "indices", "an i32 or i64 tensor", idx);
            List<SymExpr> out = Args.dims(idx);
            out.add(w.shape().dim(1));
            return one(TensorType.of(w.dtype(), Shape.of(out)));
        });
        t.put(Op.DROPOUT, (in, a) -> {
            double p = a.getFloat("p");
            if (!(p >= 0 && p <= 1)) throw error(Op.DROPOUT, "p", "a probability in [0, 1]", p);
            return one(TensorType.of(in.get(0).dtype(), in.get(0).shape()));
        });
    }

    private static List<TensorType> conv2d(List<TensorType> in, Attrs a) {
        Op op = Op.CONV2D;
        TensorType x = in.get(0), w = in.get(1), b = in.get(2);
        Args.requireRank(op, "input", x, 3, 4);
        Args.requireRank(op, "weight", w, 4);
        Args.requireFloating(op, "input", x);
        LinalgRules.sameDType(op, x, "weight", w);
        long groups = a.getInt("groups");
        if (groups <= 0) throw error(op, "groups", "a positive number", groups);
        int c = x.rank() - 3; // channel dim: 0 unbatched, 1 batched
        SymExpr inChannels = x.shape().dim(c);
        Args.requireSameSize(op, "input", "channels (weight's dim 1 times groups =)", w.shape().dim(1).times(groups),
                inChannels);
        SymExpr outChannels = w.shape().dim(0);
        if (outChannels.isConstant() && outChannels.constant() % groups != 0) {
            throw error(op, "weight", "out_channels divisible by groups=" + groups, w);
        }
        if (b != null) {
            LinalgRules.sameDType(op, x, "bias", b);
            if (b.rank() != 1 || !b.shape().dim(0).equals(outChannels)) {
                throw error(op, "bias", "shape [" + outChannels + "]", b);
            }
        }
        long[] stride = positive(op, "stride", pair(op, "stride", a.getInts("stride")));
        long[] pad = nonNegative(op, "padding", pair(op, "padding", a.getInts("padding")));
        long[] dil = positive(op, "dilation", pair(op, "dilation", a.getInts("dilation")));
        SymExpr h = outSize(op, x, c + 1, w.shape().dim(2), stride[0], pad[0], dil[0], false);
        SymExpr wd = outSize(op, x, c + 2, w.shape().dim(3), stride[1], pad[1], dil[1], false);
        List<SymExpr> out = Args.dims(x);
        out.set(c, outChannels);
        out.set(c + 1, h);
        out.set(c + 2, wd);
        return one(TensorType.of(x.dtype(), Shape.of(out)));
    }

    private static List<TensorType> pool(Op op, TensorType x, Attrs a, long[] dilation) {
        Args.requireRank(op, "self", x, 3, 4);
        Args.requireNotBool(op, "self", x);
        long[] k = positive(op, "kernel_size", pair(op, "kernel_size", a.getInts("kernel_size")));
        long[] givenStride = a.getInts("stride");
        long[] stride = positive(op, "stride", givenStride.length == 0 ? k : pair(op, "stride", givenStride));
        long[] pad = nonNegative(op, "padding", pair(op, "padding", a.getInts("padding")));
        positive(op, "dilation", dilation);
        for (int i = 0; i < 2; i++) {
            if (pad[i] > k[i] / 2) {
                throw error(op, "padding", "at most half the kernel size " + Arrays.toString(k),
                        Arrays.toString(pad));
            }
        }
        boolean ceil = a.getBool("ceil_mode");
        int hd = x.rank() - 2;
        SymExpr h = outSize(op, x, hd, SymExpr.of(k[0]), stride[0], pad[0], dilation[0], ceil);
        SymExpr w = outSize(op, x, hd + 1, SymExpr.of(k[1]), stride[1], pad[1], dilation[1], ceil);
        return one(spatial(x, h, w));
    }

    /** {@code x} with its last two dims replaced. */
    private static TensorType spatial(TensorType x, SymExpr h, SymExpr w) {
        List<SymExpr> out = Args.dims(x);
        out.set(out.size() - 2, h);
        out.set(out.size() - 1, w);
        return TensorType.of(x.dtype(), Shape.of(out));
    }

    /**
     * One spatial output size. With {@code ceil} (pooling's ceil_mode) the last window must start inside the input
     * or its left padding, a condition on the input size that is decided only for a constant size.
     */
    private static SymExpr outSize(Op op, TensorType x, int dim, SymExpr kernel, long stride, long pad, long dil,
                                   boolean ceil) {
        SymExpr size = x.shape().dim(dim);
        SymExpr span = size.plus(2 * pad).minus(kernel.minus(1).times(dil)).minus(1);
        SymExpr out = (ceil ? span.plus(stride - 1) : span).floorDiv(stride).plus(1);
        if (ceil) {
            if (!size.isConstant()) {
                throw error(op, "ceil_mode", "a constant input size at dim " + dim + " (with ceil_mode the output "
                        + "size depends on the value of the symbols)", size);
            }
            if ((out.constant() - 1) * stride >= size.constant() + pad) out = out.minus(1);
        }
        if (out.isConstant() && out.constant() <= 0) {
            throw error(op, "input", "an input large enough for the kernel (output size at dim " + dim + " is "
                    + out + ")", x);
        }
        return out;
    }

    private static List<TensorType> batchNorm(List<TensorType> in, Attrs a) {
        Op op = Op.BATCH_NORM;
        TensorType x = in.get(0);
        if (x.rank() < 2) throw error(op, "input", "a tensor with at least 2 dims", x);
        Args.requireFloating(op, "input", x);
        SymExpr c = x.shape().dim(1);
        String[] names = {"weight", "bias", "running_mean", "running_var"};
        for (int i = 0; i < names.length; i++) {
            TensorType p = in.get(i + 1);
            if (p == null) {
                if (i >= 2 && !a.getBool("training")) {
                    throw error(op, names[i], "a tensor in evaluation mode (training=false)", "None");
                }
                continue;
            }
            if (p.rank() != 1 || !p.shape().dim(0).equals(c)) {
                throw error(op, names[i], "shape [" + c + "] (the input's channels)", p);
            }
        }
        return one(TensorType.of(x.dtype(), x.shape()));
    }

    private static List<TensorType> layerNorm(List<TensorType> in, Attrs a) {
        Op op = Op.LAYER_NORM;
        TensorType x = in.get(0);
        Args.requireFloating(op, "input", x);
        long[] norm = a.getInts("normalized_shape");
        Shape ns = Shape.of(norm);
        int n = norm.length;
        if (n == 0 || n > x.rank()
                || !x.shape().dims().subList(x.rank() - n, x.rank()).equals(ns.dims())) {
            throw error(op, "input", "trailing dims " + ns + " (normalized_shape)", x);
        }
        for (int i = 1; i <= 2; i++) {
            TensorType p = in.get(i);
            if (p != null && !p.shape().equals(ns)) {
                throw error(op, i == 1 ? "weight" : "bias", "shape " + ns + " (normalized_shape)", p);
            }
        }
        return one(TensorType.of(x.dtype(), x.shape()));
    }

    private static long[] positive(Op op, String arg, long[] v) {
        for (long x : v) if (x <= 0) throw error(op, arg, "positive values", Arrays.toString(v));
        return v;
    }

    private static long[] nonNegative(Op op, String arg, long[] v) {
        for (long x : v) if (x < 0) throw error(op, arg, "non-negative values", Arrays.toString(v));
        return v;
    }

}
