package dev.kiln.eager.autograd;

import dev.kiln.eager.Dispatcher;
import dev.kiln.eager.KilnException;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.Attrs;
import dev.kiln.ir.Op;
import java.util.Map;

/**
 * Backward rules of the neural-network ops. Normalisations are composed from tensor ops; convolution, pooling
 * and embedding use the loops in {@link NnBackwardKernels}.
 */
final class NnGradients {
    private NnGradients() {}

    static void register(Map<Op, GradientFormula> t) {
        GradientRegistry.put(t, Op.CONV2D, c -> {
            Tensor[] r = c.none();
            if (c.needs(0) || c.needs(1)) {
                Tensor[] gw = NnBackwardKernels.conv2d(c.input(0), c.input(1), c.grad(),
                        NnBackwardKernels.ConvGeometry.of(c.attrs()), c.needs(0), c.needs(1));
                r[0] = gw[0];
                r[1] = gw[1];
            }
            if (c.needs(2)) {
                Tensor g = c.grad();
                r[2] = g.dim() == 3 ? g.sum(new int[] {1, 2}, false) : g.sum(new int[] {0, 2, 3}, false);
            }
            return r;
        });
        GradientRegistry.put(t, Op.MAX_POOL2D,
                c -> new Tensor[] {NnBackwardKernels.maxPool2d(c.input(0), c.grad(), c.attrs())});
        GradientRegistry.put(t, Op.AVG_POOL2D,
                c -> new Tensor[] {NnBackwardKernels.avgPool2d(c.input(0), c.grad(), c.attrs())});
        GradientRegistry.put(t, Op.ADAPTIVE_AVG_POOL2D,
                c -> new Tensor[] {NnBackwardKernels.adaptiveAvgPool2d(c.input(0), c.grad())});
        GradientRegistry.put(t, Op.BATCH_NORM, NnGradients::batchNorm);
        GradientRegistry.put(t, Op.LAYER_NORM, NnGradients::layerNorm);
        GradientRegistry.put(t, Op.EMBEDDING, c -> {
            Tensor[] r = c.none();
            if (c.needs(0)) {
                r[0] = NnBackwardKernels.embedding(c.input(0), c.input(1), c.grad(), c.attrs().getInt("padding_idx"));
            }
            return r;
        });
        GradientRegistry.put(t, Op.DROPOUT, NnGradients::dropout);
    }

    /**
     * batch_norm over every dim but 1. With running statistics (eval) it is affine in x:
     * {@code dx = g w / sqrt(var + eps)}. With batch statistics (training) the mean and variance depend on x too:
     * {@code dx = w invstd (g - mean(g) - x̂ mean(g x̂))}, the means over the normalised dims.
     */
    private static Tensor[] batchNorm(GradContext c) {
        Tensor x = c.input(0);
        Tensor w = c.input(1);
        Tensor runningMean = c.input(3);
        Tensor runningVar = c.input(4);
        double eps = c.attrs().getFloat("eps");
        boolean batchStats = c.attrs().getBool("training") || runningMean == null;
        int[] dims = new int[x.dim() - 1];
        dims[0] = 0;
        for (int d = 2; d < x.dim(); d++) dims[d - 1] = d;
        long[] channelShape = new long[x.dim()];
        java.util.Arrays.fill(channelShape, 1);
        channelShape[1] = x.size(1);
        Tensor g = c.grad();
        Tensor mean;
        Tensor invstd;
        if (batchStats) {
            mean = x.mean(dims, true);
            Tensor centred = x.sub(mean);
            invstd = centred.mul(centred).mean(dims, true).add(eps).rsqrt();
        } else {
            mean = runningMean.reshape(channelShape);
            invstd = runningVar.reshape(channelShape).add(eps).rsqrt();
        }
        Tensor xhat = x.sub(mean).mul(invstd);
        Tensor scale = w == null ? invstd : invstd.mul(w.reshape(channelShape));
        Tensor[] r = c.none();
        if (c.needs(0)) {
            if (batchStats) {
                r[0] = scale.mul(g.sub(g.mean(dims, true)).sub(xhat.mul(g.mul(xhat).mean(dims, true))));
            } else {
                r[0] = g.mul(scale);
            }
        }
        if (c.needs(1)) r[1] = g.mul(xhat).sum(dims, false);
        if (c.needs(2)) r[2] = g.sum(dims, false);
        return r;
    }

    /** layer_norm over the trailing normalized_shape dims: the batch-statistics rule of batch_norm per row. */
    private static Tensor[] layerNorm(GradContext c) {
        Tensor x = c.input(0);
        Tensor w = c.input(1);
        int k = c.attrs().getInts("normalized_shape").length;
        int[] normDims = new int[k];
        for (int i = 0; i < k; i++) normDims[i] = x.dim() - k + i;
        int[] leadDims = new int[x.dim() - k];
        for (int i = 0; i < leadDims.length; i++) leadDims[i] = i;
        Tensor mean = x.mean(normDims, true);
        Tensor centred = x.sub(mean);
        Tensor invstd = centred.mul(centred).mean(normDims, true).add(c.attrs().getFloat("eps")).rsqrt();
        Tensor xhat = centred.mul(invstd);
        Tensor g = c.grad();
        Tensor[] r = c.none();
        if (c.needs(0)) {
            Tensor gh = w == null ? g : g.mul(w);
            r[0] = invstd.mul(gh.sub(gh.mean(normDims, true)).sub(xhat.mul(gh.mul(xhat).mean(normDims, true))));
        }
        if (c.needs(1)) r[1] = sumLeading(g.mul(xhat), leadDims);
        if (c.needs(2)) r[2] = sumLeading(g, leadDims);
        return r;
    }

    private static Tensor sumLeading(Tensor t, int[] leadDims) {
        return leadDims.length == 0 ? t : t.sum(leadDims, false);
    }

    /**
     * dropout: the gradient is masked and scaled exactly as the input was. The mask is re-drawn by running the
     * same call (same seed) on ones, which yields the mask itself: 0 or 1/(1-p) per element.
     */
    private static Tensor[] dropout(GradContext c) {
        Attrs a = c.attrs();
        if (!a.getBool("train")) return new Tensor[] {c.grad()};
        if (a.getOrNull("seed") == null) {
            throw new KilnException(Op.DROPOUT + ": backward of a training-mode call expected the 'seed' attribute "
                    + "(to re-draw its mask), found none");
        }
        Tensor ones = Tensor.ones(c.input(0).dtype(), c.input(0).shape());
        return new Tensor[] {c.grad().mul(Dispatcher.call1(Op.DROPOUT, a, ones))};
    }
}
