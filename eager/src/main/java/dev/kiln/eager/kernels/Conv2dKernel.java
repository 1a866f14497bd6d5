package dev.kiln.eager.kernels;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Parallel;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.Attrs;
import dev.kiln.ir.DType;
import dev.kiln.ir.Op;
import java.util.Arrays;

/**
 * {@code aten::conv2d} on NCHW tensors (or unbatched CHW), float32/float64, by im2col + GEMM.
 *
 * <p>For each image and group, the receptive fields are unrolled into a {@code (C/g·kh·kw) × (oh·ow)} column
 * matrix and multiplied by the group's {@code (O/g) × (C/g·kh·kw)} weight block straight into the output. A 1×1
 * convolution with unit stride and no padding needs no unrolling: the input plane is already that matrix.
 * Unrolling is split over threads by column-matrix rows; a large GEMM is split over Kiln's threads by {@link Blas}.
 */
final class Conv2dKernel {
    private static final Op OP = Op.CONV2D;

    private Conv2dKernel() {}

    static Tensor apply(Tensor input, Tensor weight, Tensor bias, Attrs attrs) {
        DType dt = input.dtype();
        if (!dt.isFloatingPoint()) {
            throw new KilnException(OP + ": argument 'input' expected a floating dtype (float32 or float64), found "
                    + dt.torchName());
        }
        if (weight.dtype() != dt || (bias != null && bias.dtype() != dt)) {
            throw new KilnException(OP + ": expected 'input', 'weight' and 'bias' of one dtype, found "
                    + dt.torchName() + ", " + weight.dtype().torchName()
                    + (bias == null ? "" : " and " + bias.dtype().torchName()));
        }
        boolean unbatched = input.dim() == 3;
        if (input.dim() != 3 && input.dim() != 4) {
            throw new KilnException(OP + ": argument 'input' expected a 3-d (unbatched) or 4-d tensor, found "
                    + input.dim() + "-d shape " + Arrays.toString(input.intShape()));
        }
        if (weight.dim() != 4) {
            throw new KilnException(OP + ": argument 'weight' expected a 4-d tensor [out_channels, in_channels/groups,"
                    + " kH, kW], found " + weight.dim() + "-d shape " + Arrays.toString(weight.intShape()));
        }
        int[] is = input.intShape();
        int n = unbatched ? 1 : is[0];
        int c = is[is.length - 3];
        int h = is[is.length - 2];
        int w = is[is.length - 1];
        int[] ws = weight.intShape();
        int o = ws[0];
        int cg = ws[1];
        int kh = ws[2];
        int kw = ws[3];
        int[] stride = NnArgs.pair(attrs, "stride", 1);
        int[] pad = NnArgs.pair(attrs, "padding", 0);
        int[] dil = NnArgs.pair(attrs, "dilation", 1);
        long groupsL = attrs.getInt("groups");
        if (groupsL < 1) throw new KilnException(OP + ": argument 'groups' expected a positive integer, found " + groupsL);
        int g = (int) groupsL;
        if (o % g != 0) {
            throw new KilnException(OP + ": argument 'weight' of size " + Arrays.toString(ws)
                    + " expected out_channels divisible by groups=" + g + ", found " + o + " out_channels");
        }
        if (cg * g != c) {
            throw new KilnException(OP + ": argument 'weight' of size " + Arrays.toString(ws) + " with groups=" + g
                    + " expected input " + Arrays.toString(is) + " to have " + (cg * g) + " channels, found " + c
                    + " channels");
        }
        if (bias != null && (bias.dim() != 1 || bias.intShape()[0] != o)) {
            throw new KilnException(OP + ": argument 'bias' expected shape [" + o + "], found "
                    + Arrays.toString(bias.intShape()));
        }
        int effH = dil[0] * (kh - 1) + 1;
        int effW = dil[1] * (kw - 1) + 1;
        if (h + 2 * pad[0] < effH || w + 2 * pad[1] < effW) {
            throw new KilnException(OP + ": expected the padded input (" + (h + 2 * pad[0]) + " x " + (w + 2 * pad[1])
                    + ") to be at least the dilated kernel size (" + effH + " x " + effW + "), found it smaller");
        }
        int oh = (h + 2 * pad[0] - effH) / stride[0] + 1;
        int ow = (w + 2 * pad[1] - effW) / stride[1] + 1;
        Tensor out = Tensor.empty(dt, unbatched ? new int[] {o, oh, ow} : new int[] {n, o, oh, ow});
        if (out.numel() == 0) return out;

        Tensor x = Dense.contiguous(input);
        Tensor wt = Dense.contiguous(weight);
        Geometry geo = new Geometry(cg, h, w, kh, kw, stride, pad, dil, oh, ow);
        int og = o / g;
        int k = cg * kh * kw;
        int l = oh * ow;
        Object outArr = out.storage().array();
        Object col = geo.pointwise() ? null : (dt == DType.FLOAT32 ? new float[k * l] : new double[k * l]);
        for (int b = 0; b < n; b++) {
            for (int gi = 0; gi < g; gi++) {
                int inOff = x.storageOffset() + (b * c + gi * cg) * h * w;
                Matrix cols;
                if (col == null) {
                    cols = new Matrix(x.storage().array(), inOff, k, l, l, 1);
                } else {
                    geo.im2col(x.storage().array(), inOff, col);
                    cols = new Matrix(col, 0, k, l, l, 1);
                }
                Matrix wg = new Matrix(wt.storage().array(), wt.storageOffset() + gi * og * k, og, k, k, 1);
                Gemm.gemm(wg, cols, outArr, (b * o + gi * og) * l);
            }
        }
        if (bias != null) addBias(out, n, o, l, Dense.toDoubles(bias));
        return out;
    }

    private static void addBias(Tensor out, int n, int o, int l, double[] bias) {
        Object arr = out.storage().array();
        Parallel.forRange(n * o, Math.max(1, Parallel.ELEMENTWISE_GRAIN / Math.max(1, l)), (s, e) -> {
            for (int p = s; p < e; p++) {
                int base = p * l;
                if (arr instanceof float[] f) {
                    float v = (float) bias[p % o];
                    for (int i = 0; i < l; i++) f[base + i] += v;
                } else {
                    double[] d = (double[]) arr;
                    double v = bias[p % o];
                    for (int i = 0; i < l; i++) d[base + i] += v;
                }
            }
        });
    }

    /** The sizes of one group's convolution; knows how to unroll its receptive fields. */
    private record Geometry(int c, int h, int w, int kh, int kw, int[] stride, int[] pad, int[] dil, int oh, int ow) {

        /** 1×1 kernel, unit stride, no padding: the input plane is the column matrix. */
        boolean pointwise() {
            return kh == 1 && kw == 1 && stride[0] == 1 && stride[1] == 1 && pad[0] == 0 && pad[1] == 0;
        }

        /**
         * Fills {@code col} ({@code (c·kh·kw) × (oh·ow)}, row-major) from the contiguous {@code c × h × w} block of
         * {@code src} at {@code off}: row {@code (ci, ki, kj)}, column {@code (y, x)} holds the input at
         * {@code (y·sh − ph + ki·dh, x·sw − pw + kj·dw)}, or 0 in the padding.
         */
        void im2col(Object src, int off, Object col) {
            int rows = c * kh * kw;
            int l = oh * ow;
            Parallel.forRange(rows, Math.max(1, Parallel.ELEMENTWISE_GRAIN / Math.max(1, l)), (s, e) -> {
                for (int r = s; r < e; r++) {
                    int ci = r / (kh * kw);
                    int ki = (r / kw) % kh;
                    int kj = r % kw;
                    int xShift = kj * dil[1] - pad[1];
                    // Output columns x whose input column x·sw + xShift lies in [0, w).
                    int xLo = Math.min(ow, ceilDiv(Math.max(0, -xShift), stride[1]));
                    int xHi = Math.max(xLo, Math.min(ow, floorDiv(w - 1 - xShift, stride[1]) + 1));
                    for (int y = 0; y < oh; y++) {
                        int iy = y * stride[0] - pad[0] + ki * dil[0];
                        int dst = r * l + y * ow;
                        int srcRow = off + (ci * h + iy) * w + xShift;
                        if (col instanceof float[] cf) {
                            float[] sf = (float[]) src;
                            if (iy < 0 || iy >= h) {
                                Arrays.fill(cf, dst, dst + ow, 0f);
                                continue;
                            }
                            Arrays.fill(cf, dst, dst + xLo, 0f);
                            if (stride[1] == 1) System.arraycopy(sf, srcRow + xLo, cf, dst + xLo, xHi - xLo);
                            else for (int xx = xLo; xx < xHi; xx++) cf[dst + xx] = sf[srcRow + xx * stride[1]];
                            Arrays.fill(cf, dst + xHi, dst + ow, 0f);
                        } else {
                            double[] cd = (double[]) col;
                            double[] sd = (double[]) src;
                            if (iy < 0 || iy >= h) {
                                Arrays.fill(cd, dst, dst + ow, 0.0);
                                continue;
                            }
                            Arrays.fill(cd, dst, dst + xLo, 0.0);
                            if (stride[1] == 1) System.arraycopy(sd, srcRow + xLo, cd, dst + xLo, xHi - xLo);
                            else for (int xx = xLo; xx < xHi; xx++) cd[dst + xx] = sd[srcRow + xx * stride[1]];
                            Arrays.fill(cd, dst + xHi, dst + ow, 0.0);
                        }
                    }
                }
            });
        }

        private static int ceilDiv(int a, int b) { return -Math.floorDiv(-a, b); }

        private static int floorDiv(int a, int b) { return Math.floorDiv(a, b); }
    }
}
