package dev.kiln.eager.autograd;

import dev.kiln.eager.Tensor;
import dev.kiln.ir.Attrs;

/**
 * Gradient loops for the nn ops whose backward is not a composition of catalogue ops (it needs a transposed
 * convolution, or a scatter-add into windows or rows). They read their operands as float64 copies and return a
 * fresh float64 tensor (the engine converts it to the input's dtype), and reproduce the forward kernels' window
 * rules exactly: the output size comes from the gradient's shape, so only the window placement is recomputed.
 *
 * <p>Tensors here are NCHW (a 3-d CHW input is one image); the pooling loops treat the leading dims as planes.
 */
final class NnBackwardKernels {
    private NnBackwardKernels() {}

    /** Stride, padding, dilation and groups of a conv2d call. */
    record ConvGeometry(int[] stride, int[] padding, int[] dilation, int groups) {
        static ConvGeometry of(Attrs a) {
            return new ConvGeometry(pair(a.getInts("stride")), pair(a.getInts("padding")), pair(a.getInts("dilation")),
                    (int) a.getInt("groups"));
        }
    }

    /** Gradients of conv2d's input and weight (either may be skipped): {@code {gInput, gWeight}}. */
    static Tensor[] conv2d(Tensor input, Tensor weight, Tensor grad, ConvGeometry geo, boolean wantInput,
                           boolean wantWeight) {
        boolean unbatched = input.dim() == 3;
        int[] xs = unbatched ? prepend1(input.intShape()) : input.intShape();
        int[] ws = weight.intShape();
        int[] gs = unbatched ? prepend1(grad.intShape()) : grad.intShape();
        int n = xs[0], c = xs[1], h = xs[2], w = xs[3];
        int o = ws[0], cg = ws[1], kh = ws[2], kw = ws[3];
        int oh = gs[2], ow = gs[3];
        int og = o / geo.groups();
        double[] x = input.toDoubleArray();
        double[] wt = weight.toDoubleArray();
        double[] g = grad.toDoubleArray();
        double[] gx = wantInput ? new double[x.length] : null;
        double[] gw = wantWeight ? new double[wt.length] : null;
        int[] s = geo.stride(), p = geo.padding(), d = geo.dilation();
        for (int b = 0; b < n; b++) {
            for (int oc = 0; oc < o; oc++) {
                int group = oc / og;
                int gBase = (b * o + oc) * oh * ow;
                for (int cl = 0; cl < cg; cl++) {
                    int ic = group * cg + cl;
                    int xBase = (b * c + ic) * h * w;
                    for (int ki = 0; ki < kh; ki++) {
                        for (int kj = 0; kj < kw; kj++) {
                            int wIdx = ((oc * cg + cl) * kh + ki) * kw + kj;
                            double wv = wt[wIdx];
                            double acc = 0;
                            for (int y = 0; y < oh; y++) {
                                int iy = y * s[0] - p[0] + ki * d[0];
                                if (iy < 0 || iy >= h) continue;
                                for (int xo = 0; xo < ow; xo++) {
                                    int ix = xo * s[1] - p[1] + kj * d[1];
                                    if (ix < 0 || ix >= w) continue;
                                    double gv = g[gBase + y * ow + xo];
                                    int xi = xBase + iy * w + ix;
                                    if (gx != null) gx[xi] += gv * wv;
                                    acc += gv * x[xi];
                                }
                            }
                            if (gw != null) gw[wIdx] += acc;
                        }
                    }
                }
            }
        }
        return new Tensor[] {gx == null ? null : Tensor.wrap(gx, input.shape()),
                gw == null ? null : Tensor.wrap(gw, weight.shape())};
    }

    /** max_pool2d: each output's gradient goes to the element its window selected (the forward's scan order). */
    static Tensor maxPool2d(Tensor input, Tensor grad, Attrs a) {
        Pool pool = Pool.of(input, grad, a, true);
        double[] x = input.toDoubleArray();
        double[] g = grad.toDoubleArray();
        double[] gx = new double[x.length];
        for (int q = 0; q < pool.planes; q++) {
            int xb = q * pool.h * pool.w;
            int gb = q * pool.oh * pool.ow;
            for (int y = 0; y < pool.oh; y++) {
                for (int xo = 0; xo < pool.ow; xo++) {
                    int best = -1;
                    double max = Double.NEGATIVE_INFINITY;
                    for (int ki = 0; ki < pool.k[0]; ki++) {
                        int iy = y * pool.s[0] - pool.p[0] + ki * pool.d[0];
                        if (iy < 0 || iy >= pool.h) continue;
                        for (int kj = 0; kj < pool.k[1]; kj++) {
                            int ix = xo * pool.s[1] - pool.p[1] + kj * pool.d[1];
                            if (ix < 0 || ix >= pool.w) continue;
                            int i = xb + iy * pool.w + ix;
                            if (best < 0) best = i; // PyTorch starts from the first element in the window
                            if (x[i] > max || Double.isNaN(x[i])) {
                                max = x[i];
                                best = i;
                            }
                        }
                    }
                    if (best >= 0) gx[best] += g[gb + y * pool.ow + xo];
                }
            }
        }
        return Tensor.wrap(gx, input.shape());
    }

    /** avg_pool2d: each output's gradient is spread over its window with the forward's divisor. */
    static Tensor avgPool2d(Tensor input, Tensor grad, Attrs a) {
        Pool pool = Pool.of(input, grad, a, false);
        boolean countPad = a.getBool("count_include_pad");
        Object override = a.getOrNull("divisor_override");
        double[] g = grad.toDoubleArray();
        double[] gx = new double[(int) input.numel()];
        for (int q = 0; q < pool.planes; q++) {
            int xb = q * pool.h * pool.w;
            int gb = q * pool.oh * pool.ow;
            for (int y = 0; y < pool.oh; y++) {
                for (int xo = 0; xo < pool.ow; xo++) {
                    int hs = y * pool.s[0] - pool.p[0];
                    int ws = xo * pool.s[1] - pool.p[1];
                    int he = Math.min(hs + pool.k[0], pool.h + pool.p[0]);
                    int we = Math.min(ws + pool.k[1], pool.w + pool.p[1]);
                    int poolSize = (he - hs) * (we - ws);
                    hs = Math.max(hs, 0);
                    ws = Math.max(ws, 0);
                    he = Math.min(he, pool.h);
                    we = Math.min(we, pool.w);
                    if (hs >= he || ws >= we) continue;
                    double div = override != null ? (Long) override : countPad ? poolSize : (he - hs) * (we - ws);
                    double share = g[gb + y * pool.ow + xo] / div;
                    for (int iy = hs; iy < he; iy++) {
                        for (int ix = ws; ix < we; ix++) gx[xb + iy * pool.w + ix] += share;
                    }
                }
            }
        }
        return Tensor.wrap(gx, input.shape());
    }

    /** adaptive_avg_pool2d: windows [floor(i·H/oh), ceil((i+1)·H/oh)). */
    static Tensor adaptiveAvgPool2d(Tensor input, Tensor grad) {
        int[] is = input.intShape();
        int h = is[is.length - 2], w = is[is.length - 1];
        int[] gs = grad.intShape();
        int oh = gs[gs.length - 2], ow = gs[gs.length - 1];
        int planes = (int) (input.numel() / Math.max(1, (long) h * w));
        double[] g = grad.toDoubleArray();
        double[] gx = new double[(int) input.numel()];
        for (int q = 0; q < planes; q++) {
            for (int y = 0; y < oh; y++) {
                int hs = (int) ((long) y * h / oh);
                int he = (int) (((long) (y + 1) * h + oh - 1) / oh);
                for (int x = 0; x < ow; x++) {
                    int ws = (int) ((long) x * w / ow);
                    int we = (int) (((long) (x + 1) * w + ow - 1) / ow);
                    double share = g[(q * oh + y) * ow + x] / ((he - hs) * (we - ws));
                    for (int iy = hs; iy < he; iy++) {
                        for (int ix = ws; ix < we; ix++) gx[(q * h + iy) * w + ix] += share;
                    }
                }
            }
        }
        return Tensor.wrap(gx, input.shape());
    }

    /** embedding: row gradients added into the rows the indices picked; the padding row gets none. */
    static Tensor embedding(Tensor weight, Tensor indices, Tensor grad, long paddingIdx) {
        int dim = weight.intShape()[1];
        long[] idx = indices.toLongArray();
        double[] g = grad.toDoubleArray();
        double[] gw = new double[(int) weight.numel()];
        for (int r = 0; r < idx.length; r++) {
            if (idx[r] == paddingIdx) continue;
            int base = (int) idx[r] * dim;
            for (int j = 0; j < dim; j++) gw[base + j] += g[r * dim + j];
        }
        return Tensor.wrap(gw, weight.shape());
    }

    /** The window parameters of a pooling call and the plane geometry of its input and gradient. */
    private record Pool(int[] k, int[] s, int[] p, int[] d, int planes, int h, int w, int oh, int ow) {
        static Pool of(Tensor input, Tensor grad, Attrs a, boolean hasDilation) {
            int[] k = pair(a.getInts("kernel_size"));
            int[] s = a.getInts("stride").length == 0 ? k : pair(a.getInts("stride"));
            int[] d = hasDilation ? pair(a.getInts("dilation")) : new int[] {1, 1};
            int[] is = input.intShape();
            int[] gs = grad.intShape();
            int h = is[is.length - 2], w = is[is.length - 1];
            int planes = (int) (input.numel() / Math.max(1, (long) h * w));
            return new Pool(k, s, pair(a.getInts("padding")), d, planes, h, w, gs[gs.length - 2], gs[gs.length - 1]);
        }
    }

    /** A (height, width) attribute given as one or two values. */
    private static int[] pair(long[] v) {
        return new int[] {(int) v[0], (int) (v.length > 1 ? v[1] : v[0])};
    }

    private static int[] prepend1(int[] shape) {
        int[] out = new int[shape.length + 1];
        out[0] = 1;
        System.arraycopy(shape, 0, out, 1, shape.length);
        return out;
    }
}
