package dev.kiln.eager.kernels;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Parallel;
import dev.kiln.eager.Shapes;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.Attrs;
import dev.kiln.ir.DType;
import java.util.Arrays;

/**
 * 2-d pooling over the last two dims of a 3-d (C, H, W) or 4-d (N, C, H, W) floating tensor: {@code max_pool2d},
 * {@code avg_pool2d} and {@code adaptive_avg_pool2d}, with PyTorch 1.13's window and output-size rules.
 *
 * <p>Each (image, channel) plane is independent; planes are split across threads. Values are read into a
 * double working copy, so averages accumulate in double; max is exact either way, so a float32 {@code max_pool2d}
 * reads and writes float arrays directly (the double copies cost more than the pooling itself), and so does a float32
 * {@code adaptive_avg_pool2d}, which still sums and divides in double.
 */
final class PoolKernels {
    private PoolKernels() {}

    /** The planes of a pooling input: {@code planes × h × w} values, row-major. */
    private record Planes(int[] leading, int planes, int h, int w, double[] data) {
        static Planes of(Tensor t, Attrs attrs) {
            return of(t, attrs, t == null || t.dtype() != DType.FLOAT32);
        }

        /**
         * With {@code load} false, {@link #data} is null: only the shape is taken (the float32 max and adaptive-average
         * paths).
         */
        static Planes of(Tensor t, Attrs attrs, boolean load) {
            NnArgs.requireFloating(attrs, "self", t);
            if (t.dim() != 3 && t.dim() != 4) {
                throw new KilnException(attrs.op() + ": argument 'self' expected a 3-d (C, H, W) or 4-d (N, C, H, W)"
                        + " tensor, found " + t.dim() + "-d shape " + Arrays.toString(t.intShape()));
            }
            int[] s = t.intShape();
            int[] leading = Arrays.copyOf(s, s.length - 2);
            int planes = 1;
            for (int v : leading) planes *= v;
            return new Planes(leading, planes, s[s.length - 2], s[s.length - 1], load ? Dense.toDoubles(t) : null);
        }

        int[] outShape(int oh, int ow) {
            int[] out = Arrays.copyOf(leading, leading.length + 2);
            out[leading.length] = oh;
            out[leading.length + 1] = ow;
            return out;
        }
    }

    /** Computes one output plane from one input plane (bases index the working arrays). */
    private interface PlaneBody {
        void run(int plane, double[] in, int inBase, double[] out, int outBase);
    }

    private static Tensor run(Tensor self, Planes p, int oh, int ow, int workPerOutput, PlaneBody body) {
        double[] out = new double[p.planes * oh * ow];
        int perPlane = Math.max(1, oh * ow * workPerOutput);
        Parallel.forRange(p.planes, Math.max(1, Parallel.ELEMENTWISE_GRAIN / perPlane), (s, e) -> {
            for (int q = s; q < e; q++) body.run(q, p.data, q * p.h * p.w, out, q * oh * ow);
        });
        return Dense.fromDoubles(self.dtype(), p.outShape(oh, ow), out);
    }

    // ------------------------------------------------------------------ max_pool2d

    /** Max pooling; a float32 result in {@code into} when it fits ({@link Dense#resultInto}). */
    static Tensor maxPool2d(Tensor self, Attrs attrs, float[] into) {
        if (self != null && self.dtype() == DType.FLOAT32) return maxPool2dFloat(self, attrs, into);
        Planes p = Planes.of(self, attrs);
        Window win = Window.of(attrs, p, true);
        return run(self, p, win.oh, win.ow, win.k[0] * win.k[1], (q, in, ib, out, ob) -> {
            for (int y = 0; y < win.oh; y++) {
                int hs = y * win.s[0] - win.pad[0];
                for (int x = 0; x < win.ow; x++) {
                    int ws = x * win.s[1] - win.pad[1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int ki = 0; ki < win.k[0]; ki++) {
                        int iy = hs + ki * win.dil[0];
                        if (iy < 0 || iy >= p.h) continue;
                        for (int kj = 0; kj < win.k[1]; kj++) {
                            int ix = ws + kj * win.dil[1];
                            if (ix < 0 || ix >= p.w) continue;
                            double v = in[ib + iy * p.w + ix];
                            // NaN wins and stays, as in PyTorch.
                            if (v > max || Double.isNaN(v)) max = v;
                        }
                    }
                    out[ob + y * win.ow + x] = max;
                }
            }
        });
    }

    /**
     * {@code max_pool2d} of a float32 tensor on its float storage (a contiguous copy only for views). Same window
     * rules and NaN propagation as the double path: a NaN in a window is the window's result.
     */
    private static Tensor maxPool2dFloat(Tensor self, Attrs attrs, float[] into) {
        Planes p = Planes.of(self, attrs, false);
        Window win = Window.of(attrs, p, true);
        Tensor c = Dense.contiguous(self);
        float[] in = c.storage().floats();
        int off = c.storageOffset();
        int oh = win.oh;
        int ow = win.ow;
        int n = p.planes * oh * ow;
        float[] out = Dense.fits(into, n) ? into : new float[n]; // maxPlane writes every element
        int perPlane = Math.max(1, oh * ow * win.k[0] * win.k[1]);
        Parallel.forRange(p.planes, Math.max(1, Parallel.ELEMENTWISE_GRAIN / perPlane), (s, e) -> {
            for (int q = s; q < e; q++) maxPlane(win, p.h, p.w, in, off + q * p.h * p.w, out, q * oh * ow);
        });
        return Tensor.wrap(out, Shapes.toLongs(p.outShape(oh, ow)));
    }

    /**
     * One float plane, output row by output row: for each kernel offset {@code (ki, kj)} one pass over the output
     * columns whose input column is in bounds (ranges computed once per offset, not tested per element), so the inner
     * loop is long instead of a 2–3 element window loop. Each output still sees its window's elements in the same
     * order (ki, then kj) as the double path.
     */
    private static void maxPlane(Window win, int h, int w, float[] in, int ib, float[] out, int ob) {
        int kh = win.k[0];
        int kw = win.k[1];
        int sh = win.s[0];
        int sw = win.s[1];
        int dh = win.dil[0];
        int dw = win.dil[1];
        int ph = win.pad[0];
        int pw = win.pad[1];
        int ow = win.ow;
        for (int y = 0; y < win.oh; y++) {
            int o = ob + y * ow;
            java.util.Arrays.fill(out, o, o + ow, Float.NEGATIVE_INFINITY);
            int hs = y * sh - ph;
            int kiLo = hs < 0 ? (-hs + dh - 1) / dh : 0;
            int kiHi = Math.min(kh, Math.floorDiv(h - 1 - hs, dh) + 1);
            for (int ki = kiLo; ki < kiHi; ki++) {
                int row = ib + (hs + ki * dh) * w;
                for (int kj = 0; kj < kw; kj++) {
                    int shift = kj * dw - pw;   // input column of output column x: x * sw + shift
                    int xLo = shift < 0 ? (-shift + sw - 1) / sw : 0;
                    int xHi = Math.min(ow, Math.floorDiv(w - 1 - shift, sw) + 1);
                    int src = row + shift;
                    for (int x = xLo; x < xHi; x++) {
                        float v = in[src + x * sw];
                        float m = out[o + x];
                        // NaN wins and stays (v > NaN is false, NaN != NaN), as in PyTorch.
                        if (v > m || v != v) out[o + x] = v;
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ avg_pool2d

    static Tensor avgPool2d(Tensor self, Attrs attrs) {
        Planes p = Planes.of(self, attrs, true);
        Window win = Window.of(attrs, p, false);
        boolean countPad = attrs.getBool("count_include_pad");
        Object ov = attrs.getOrNull("divisor_override");
        if (ov != null && (Long) ov == 0) {
            throw new KilnException(attrs.op() + ": argument 'divisor_override' expected a non-zero divisor, found 0");
        }
        final long override = ov == null ? 0 : (Long) ov;
        return run(self, p, win.oh, win.ow, win.k[0] * win.k[1], (q, in, ib, out, ob) -> {
            for (int y = 0; y < win.oh; y++) {
                for (int x = 0; x < win.ow; x++) {
                    int hs = y * win.s[0] - win.pad[0];
                    int ws = x * win.s[1] - win.pad[1];
                    // The window clipped to the padded input decides count_include_pad's divisor ...
                    int he = Math.min(hs + win.k[0], p.h + win.pad[0]);
                    int we = Math.min(ws + win.k[1], p.w + win.pad[1]);
                    int poolSize = (he - hs) * (we - ws);
                    // ... and clipped to the real input, which elements are summed.
                    hs = Math.max(hs, 0);
                    ws = Math.max(ws, 0);
                    he = Math.min(he, p.h);
                    we = Math.min(we, p.w);
                    int o = ob + y * win.ow + x;
                    if (hs >= he || ws >= we) {
                        out[o] = 0;
                        continue;
                    }
                    double sum = 0;
                    for (int iy = hs; iy < he; iy++) {
                        for (int ix = ws; ix < we; ix++) sum += in[ib + iy * p.w + ix];
                    }
                    double div = override != 0 ? override : countPad ? poolSize : (he - hs) * (we - ws);
                    out[o] = sum / div;
                }
            }
        });
    }

    // ------------------------------------------------------------------ adaptive_avg_pool2d

    static Tensor adaptiveAvgPool2d(Tensor self, Attrs attrs) {
        Planes p = Planes.of(self, attrs);
        long[] os = attrs.getInts("output_size");
        if ((os.length != 1 && os.length != 2) || os[0] < 0 || os[os.length - 1] < 0) {
            throw new KilnException(attrs.op() + ": argument 'output_size' expected 1 or 2 non-negative sizes, found "
                    + Arrays.toString(os));
        }
        if (p.h == 0 || p.w == 0) {
            throw new KilnException(attrs.op() + ": argument 'self' expected non-zero height and width, found shape "
                    + Arrays.toString(self.intShape()));
        }
        int oh = (int) os[0];
        int ow = (int) os[os.length - 1];
        int work = Math.max(1, (p.h / Math.max(1, oh) + 1) * (p.w / Math.max(1, ow) + 1));
        if (self.dtype() == DType.FLOAT32) return adaptiveAvgPool2dFloat(self, p, oh, ow, work);
        return run(self, p, oh, ow, work, (q, in, ib, out, ob) -> {
            for (int y = 0; y < oh; y++) {
                // start = floor(y·H/oh), end = ceil((y+1)·H/oh)
                int hs = (int) ((long) y * p.h / oh);
                int he = (int) (((long) (y + 1) * p.h + oh - 1) / oh);
                for (int x = 0; x < ow; x++) {
                    int ws = (int) ((long) x * p.w / ow);
                    int we = (int) (((long) (x + 1) * p.w + ow - 1) / ow);
                    double sum = 0;
                    for (int iy = hs; iy < he; iy++) {
                        for (int ix = ws; ix < we; ix++) sum += in[ib + iy * p.w + ix];
                    }
                    out[ob + y * ow + x] = sum / ((he - hs) * (we - ws));
                }
            }
        });
    }

    /**
     * {@code adaptive_avg_pool2d} of a float32 tensor on its float storage (a contiguous copy only for views): the
     * same windows as the double path, each summed in double (four partial sums along a row, so the adds are not
     * one dependency chain) and divided in double, then rounded once to float — no double copy of the input.
     */
    private static Tensor adaptiveAvgPool2dFloat(Tensor self, Planes p, int oh, int ow, int work) {
        Tensor c = Dense.contiguous(self);
        float[] in = c.storage().floats();
        int off = c.storageOffset();
        float[] out = new float[p.planes * oh * ow];
        int perPlane = Math.max(1, oh * ow * work);
        Parallel.forRange(p.planes, Math.max(1, Parallel.ELEMENTWISE_GRAIN / perPlane), (s, e) -> {
            for (int q = s; q < e; q++) {
                int ib = off + q * p.h * p.w;
                int ob = q * oh * ow;
                for (int y = 0; y < oh; y++) {
                    int hs = (int) ((long) y * p.h / oh);
                    int he = (int) (((long) (y + 1) * p.h + oh - 1) / oh);
                    for (int x = 0; x < ow; x++) {
                        int ws = (int) ((long) x * p.w / ow);
                        int we = (int) (((long) (x + 1) * p.w + ow - 1) / ow);
                        double s0 = 0;
                        double s1 = 0;
                        double s2 = 0;
                        double s3 = 0;
                        for (int iy = hs; iy < he; iy++) {
                            int r = ib + iy * p.w;
                            int ix = ws;
                            for (; ix + 3 < we; ix += 4) {
                                s0 += in[r + ix];
                                s1 += in[r + ix + 1];
                                s2 += in[r + ix + 2];
                                s3 += in[r + ix + 3];
                            }
                            for (; ix < we; ix++) s0 += in[r + ix];
                        }
                        out[ob + y * ow + x] = (float) (((s0 + s1) + (s2 + s3)) / ((he - hs) * (we - ws)));
                    }
                }
            }
        });
        return Tensor.wrap(out, Shapes.toLongs(p.outShape(oh, ow)));
    }

    // ------------------------------------------------------------------ windows

    /** Kernel, stride, padding and dilation of a pooling call, and the output size they give. */
    private static final class Window {
        final int[] k;
        final int[] s;
        final int[] pad;
        final int[] dil;
        final int oh;
        final int ow;

        private Window(int[] k, int[] s, int[] pad, int[] dil, int oh, int ow) {
            this.k = k;
            this.s = s;
            this.pad = pad;
            this.dil = dil;
            this.oh = oh;
            this.ow = ow;
        }

        static Window of(Attrs attrs, Planes p, boolean hasDilation) {
            int[] k = NnArgs.pair(attrs, "kernel_size", 1);
            int[] s = attrs.getInts("stride").length == 0 ? k : NnArgs.pair(attrs, "stride", 1);
            int[] pad = NnArgs.pair(attrs, "padding", 0);
            int[] dil = hasDilation ? NnArgs.pair(attrs, "dilation", 1) : new int[] {1, 1};
            if (pad[0] > k[0] / 2 || pad[1] > k[1] / 2) {
                throw new KilnException(attrs.op() + ": argument 'padding' expected at most half the kernel size "
                        + Arrays.toString(k) + ", found " + Arrays.toString(pad));
            }
            boolean ceil = attrs.getBool("ceil_mode");
            int oh = outputSize(p.h, k[0], pad[0], s[0], dil[0], ceil);
            int ow = outputSize(p.w, k[1], pad[1], s[1], dil[1], ceil);
            if (oh < 1 || ow < 1) {
                throw new KilnException(attrs.op() + ": input of height x width " + p.h + " x " + p.w
                        + " gives output size " + oh + " x " + ow + ": expected at least 1 x 1 (input too small for"
                        + " kernel " + Arrays.toString(k) + ")");
            }
            return new Window(k, s, pad, dil, oh, ow);
        }

        /**
         * PyTorch's {@code pooling_output_shape}: with {@code ceil_mode}, round up, but drop a last window that
         * would start in the right padding (or beyond).
         */
        static int outputSize(int in, int k, int pad, int stride, int dil, boolean ceil) {
            long num = (long) in + 2L * pad - (long) dil * (k - 1) - 1 + (ceil ? stride - 1 : 0);
            long out = Math.floorDiv(num, stride) + 1;
            if (ceil && (out - 1) * stride >= in + pad) out--;
            return (int) out;
        }
    }
}
