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
     * rules and NaN propagation as the double path: a NaN in a window is the window's result ({@link #maxPlane}
     * says how a maximum of -0 and +0 is signed).
     */
    private static Tensor maxPool2dFloat(Tensor self, Attrs attrs, float[] into) {
        Planes p = Planes.of(self, attrs, false);
        Window win = Window.of(attrs, p, true).withColumns(p.w);
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
     * One float plane. Each output is the {@link Math#max} of its window, clipped to the input; the columns whose
     * window lies wholly inside the input ({@code [xIn0, xIn1)}, most of them) run without clipping. Why
     * {@code Math.max}: it is branch-free on x86, where the obvious {@code if (v > m)} loop mispredicts about every
     * other element on real activations (measured 6x slower for a 2x2 pool of 32x6x28x28). It equals PyTorch's
     * {@code if (v > m || isnan(v)) m = v} on every window but one holding both -0 and +0 as its maximum, where it
     * gives +0 (PyTorch's NCHW loop keeps the first zero; its vectorised kernels, like this one, give +0); a NaN in
     * a window is the result either way. Being commutative, it also lets the window be taken in any order.
     */
    private static void maxPlane(Window win, int h, int w, float[] in, int ib, float[] out, int ob) {
        int kh = win.k[0];
        int sh = win.s[0];
        int dh = win.dil[0];
        int ph = win.pad[0];
        int ow = win.ow;
        boolean twoByTwo = kh == 2 && win.k[1] == 2 && dh == 1 && win.dil[1] == 1;
        for (int y = 0; y < win.oh; y++) {
            int o = ob + y * ow;
            int hs = y * sh - ph;
            int kiLo = hs < 0 ? (-hs + dh - 1) / dh : 0;
            int kiHi = Math.min(kh, Math.floorDiv(h - 1 - hs, dh) + 1);
            int row = ib + hs * w;
            for (int x = 0; x < win.xIn0; x++) out[o + x] = maxClipped(win, in, row, w, x, kiLo, kiHi);
            if (twoByTwo && kiLo == 0 && kiHi == 2) maxInterior2x2(win, in, row, w, out, o);
            else maxInterior(win, in, row, w, kiLo, kiHi, out, o);
            for (int x = win.xIn1; x < ow; x++) out[o + x] = maxClipped(win, in, row, w, x, kiLo, kiHi);
        }
    }

    /**
     * Unclipped columns of a 2x2 window, each as one expression: C2 keeps these {@code Math.max} branch-free, where
     * a loop over the window (a reduction) measured 3-8x slower on the same data.
     */
    private static void maxInterior2x2(Window win, float[] in, int row, int w, float[] out, int o) {
        for (int x = win.xIn0; x < win.xIn1; x++) {
            int src = row + win.colStart[x];
            out[o + x] = Math.max(Math.max(in[src], in[src + 1]), Math.max(in[src + w], in[src + w + 1]));
        }
    }

    /**
     * Unclipped columns of any window, kernel element by kernel element over the whole column range (an
     * element-wise max, not a reduction, for the same reason as {@link #maxInterior2x2}).
     */
    private static void maxInterior(Window win, float[] in, int row, int w, int kiLo, int kiHi, float[] out, int o) {
        int x0 = win.xIn0;
        int x1 = win.xIn1;
        int sw = win.s[1];
        java.util.Arrays.fill(out, o + x0, o + x1, Float.NEGATIVE_INFINITY);
        for (int ki = kiLo; ki < kiHi; ki++) {
            for (int kj = 0; kj < win.k[1]; kj++) {
                int src = row + ki * win.dil[0] * w + kj * win.dil[1] + win.colStart[x0] - x0 * sw;
                for (int x = x0; x < x1; x++) out[o + x] = Math.max(out[o + x], in[src + x * sw]);
            }
        }
    }

    /** The max of output column {@code x}'s window in kernel rows {@code [kiLo, kiHi)}, clipped to the input. */
    private static float maxClipped(Window win, float[] in, int row, int w, int x, int kiLo, int kiHi) {
        int dh = win.dil[0];
        int dw = win.dil[1];
        int origin = row + win.colStart[x];
        float m = Float.NEGATIVE_INFINITY;
        for (int ki = kiLo; ki < kiHi; ki++) {
            for (int kj = win.kjLo[x]; kj < win.kjHi[x]; kj++) m = Math.max(m, in[origin + ki * dh * w + kj * dw]);
        }
        return m;
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
        /**
         * Per output column x: its window's first input column {@code x·sw - pw} (may be negative), and the range
         * {@code [kjLo, kjHi)} of kernel columns that fall inside the input; columns {@code [xIn0, xIn1)} have their
         * whole window inside ({@code kjLo = 0, kjHi = kw}). Set by {@link #withColumns}; null/0 before.
         */
        int[] colStart;
        int[] kjLo;
        int[] kjHi;
        int xIn0;
        int xIn1;

        private Window(int[] k, int[] s, int[] pad, int[] dil, int oh, int ow) {
            this.k = k;
            this.s = s;
            this.pad = pad;
            this.dil = dil;
            this.oh = oh;
            this.ow = ow;
        }

        /** Fills {@link #colStart}, {@link #kjLo} and {@link #kjHi} for inputs {@code w} wide; returns this. */
        Window withColumns(int w) {
            colStart = new int[ow];
            kjLo = new int[ow];
            kjHi = new int[ow];
            for (int x = 0; x < ow; x++) {
                int ws = x * s[1] - pad[1];
                colStart[x] = ws;
                kjLo[x] = ws < 0 ? (-ws + dil[1] - 1) / dil[1] : 0;
                kjHi[x] = Math.min(k[1], Math.floorDiv(w - 1 - ws, dil[1]) + 1);
            }
            xIn0 = 0;
            while (xIn0 < ow && colStart[xIn0] < 0) xIn0++;
            xIn1 = xIn0;
            while (xIn1 < ow && colStart[xIn1] + (k[1] - 1) * dil[1] <= w - 1) xIn1++;
            return this;
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
