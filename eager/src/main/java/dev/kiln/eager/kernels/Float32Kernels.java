package dev.kiln.eager.kernels;

import dev.kiln.eager.Parallel;
import dev.kiln.eager.Shapes;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.DType;
import dev.kiln.ir.Op;
import java.util.Arrays;

/**
 * Fast paths for the hot float32 elementwise ops.
 *
 * <p>Each op is a small object whose methods are complete loops over {@code float[]} with the arithmetic
 * inline, so HotSpot compiles one tight (and, for the simple ops, vectorised) loop per op instead of calling a
 * function per element. The drivers pick the loop by operand geometry: contiguous same-shape operands and
 * tensor-with-scalar run as flat loops split over threads; anything else goes through {@link StridedLoop},
 * whose unit-stride and broadcast rows reuse the same loops, and whose strided rows are gathered into a
 * per-thread buffer first.
 *
 * <p>Float32 results equal ATen's float arithmetic for +, -, *, / (a float op and the same op in double rounded
 * to float agree exactly); the transcendental ops use {@link FastMath32} (a few ulp; its Javadoc lists the
 * measured bounds), as ATen's vectorised float kernels also use approximations of that order.
 */
final class Float32Kernels {
    private Float32Kernels() {}

    /** A unary op: {@code o[oo + i] = f(x[xo + i])} for {@code i < n}. */
    @FunctionalInterface
    interface Unary {
        void run(float[] x, int xo, float[] o, int oo, int n);
    }

    /** A binary op as three loops: tensor-tensor, tensor-scalar and scalar-tensor, all unit stride. */
    interface Binary {
        void vv(float[] a, int ao, float[] b, int bo, float[] o, int oo, int n);

        void vs(float[] a, int ao, float s, float[] o, int oo, int n);

        void sv(float s, float[] b, int bo, float[] o, int oo, int n);
    }

    // ------------------------------------------------------------------ binary ops

    static final Binary ADD = new Binary() {
        @Override public void vv(float[] a, int ao, float[] b, int bo, float[] o, int oo, int n) {
            for (int i = 0; i < n; i++) o[oo + i] = a[ao + i] + b[bo + i];
        }
        @Override public void vs(float[] a, int ao, float s, float[] o, int oo, int n) {
            for (int i = 0; i < n; i++) o[oo + i] = a[ao + i] + s;
        }
        @Override public void sv(float s, float[] b, int bo, float[] o, int oo, int n) {
            for (int i = 0; i < n; i++) o[oo + i] = s + b[bo + i];
        }
    };

    static final Binary SUB = new Binary() {
        @Override public void vv(float[] a, int ao, float[] b, int bo, float[] o, int oo, int n) {
            for (int i = 0; i < n; i++) o[oo + i] = a[ao + i] - b[bo + i];
        }
        @Override public void vs(float[] a, int ao, float s, float[] o, int oo, int n) {
            for (int i = 0; i < n; i++) o[oo + i] = a[ao + i] - s;
        }
        @Override public void sv(float s, float[] b, int bo, float[] o, int oo, int n) {
            for (int i = 0; i < n; i++) o[oo + i] = s - b[bo + i];
        }
    };

    static final Binary MUL = new Binary() {
        @Override public void vv(float[] a, int ao, float[] b, int bo, float[] o, int oo, int n) {
            for (int i = 0; i < n; i++) o[oo + i] = a[ao + i] * b[bo + i];
        }
        @Override public void vs(float[] a, int ao, float s, float[] o, int oo, int n) {
            for (int i = 0; i < n; i++) o[oo + i] = a[ao + i] * s;
        }
        @Override public void sv(float s, float[] b, int bo, float[] o, int oo, int n) {
            for (int i = 0; i < n; i++) o[oo + i] = s * b[bo + i];
        }
    };

    static final Binary DIV = new Binary() {
        @Override public void vv(float[] a, int ao, float[] b, int bo, float[] o, int oo, int n) {
            for (int i = 0; i < n; i++) o[oo + i] = a[ao + i] / b[bo + i];
        }
        @Override public void vs(float[] a, int ao, float s, float[] o, int oo, int n) {
            for (int i = 0; i < n; i++) o[oo + i] = a[ao + i] / s;
        }
        @Override public void sv(float s, float[] b, int bo, float[] o, int oo, int n) {
            for (int i = 0; i < n; i++) o[oo + i] = s / b[bo + i];
        }
    };

    /** {@code a + alpha * b} with alpha rounded to float as ATen does; the product and sum round once, in double. */
    static Binary addScaled(double alpha) {
        final double al = (float) alpha;
        return new Binary() {
            @Override public void vv(float[] a, int ao, float[] b, int bo, float[] o, int oo, int n) {
                for (int i = 0; i < n; i++) o[oo + i] = (float) (a[ao + i] + al * b[bo + i]);
            }
            @Override public void vs(float[] a, int ao, float s, float[] o, int oo, int n) {
                double t = al * s;
                for (int i = 0; i < n; i++) o[oo + i] = (float) (a[ao + i] + t);
            }
            @Override public void sv(float s, float[] b, int bo, float[] o, int oo, int n) {
                for (int i = 0; i < n; i++) o[oo + i] = (float) (s + al * b[bo + i]);
            }
        };
    }

    // ------------------------------------------------------------------ unary ops

    /**
     * {@code x < 0 ? +0 : x}, keeping -0.0 and NaN as ATen's {@code clamp_min(x, 0)} does. Written on the bit
     * pattern so that it compiles to an integer conditional move: a float branch on random signs mispredicts
     * half the time. {@code x < 0} exactly when the bits, as a signed int, lie in
     * {@code (0x80000000, 0xFF800000]} (negative, not -0.0, not NaN).
     */
    static final Unary RELU = (x, xo, o, oo, n) -> {
        for (int i = 0; i < n; i++) {
            int b = Float.floatToRawIntBits(x[xo + i]);
            o[oo + i] = Float.intBitsToFloat(b > Integer.MIN_VALUE && b <= 0xFF800000 ? 0 : b);
        }
    };

    static final Unary NEG = (x, xo, o, oo, n) -> {
        for (int i = 0; i < n; i++) o[oo + i] = -x[xo + i];
    };

    static final Unary ABS = (x, xo, o, oo, n) -> {
        for (int i = 0; i < n; i++) o[oo + i] = Math.abs(x[xo + i]);
    };

    static final Unary SQRT = (x, xo, o, oo, n) -> {
        for (int i = 0; i < n; i++) o[oo + i] = (float) Math.sqrt(x[xo + i]);
    };

    // The transcendental ops use FastMath32's vectorised float approximations (a few ulp, bounds in its
    // Javadoc) instead of double Math calls, which keep C2 from vectorising the loop.

    static final Unary EXP = FastMath32::exp;

    static final Unary LOG = FastMath32::log;

    static final Unary SIGMOID = FastMath32::sigmoid;

    static final Unary TANH = FastMath32::tanh;

    static final Unary GELU = FastMath32::gelu;

    static final Unary GELU_TANH = FastMath32::geluTanh;

    static final Unary SILU = FastMath32::silu;

    /** ELU {@code x > 0 ? x : alpha (e^x - 1)} (alpha already rounded to float) with FastMath32's expm1. */
    static Unary elu(float alpha) {
        return (x, xo, o, oo, n) -> {
            for (int i = 0; i < n; i++) {
                float v = x[xo + i];
                o[oo + i] = v > 0f ? v : alpha * FastMath32.expm1(v);
            }
        };
    }

    /**
     * Softplus {@code log1p(e^{βx}) / β}, x where {@code βx > threshold} (ATen's rule; beta and threshold already
     * rounded to float). log1p(e) is computed as {@code log(1+e) · e / ((1+e) - 1)}, which is accurate also where
     * 1 + e rounds (the classic correction), and as e itself where 1 + e rounds to 1.
     */
    static Unary softplus(float beta, float threshold) {
        return (x, xo, o, oo, n) -> {
            for (int i = 0; i < n; i++) {
                float v = x[xo + i];
                float bx = v * beta;
                float e = FastMath32.exp(bx);
                float u = 1f + e;
                float log1p = u == 1f ? e : FastMath32.log(u) * (e / (u - 1f));
                o[oo + i] = bx > threshold ? v : log1p / beta;
            }
        };
    }

    /** Clamp into {@code [lo, hi]} (bounds already rounded to float; NaN propagates). */
    static Unary clamp(float lo, float hi) {
        return (x, xo, o, oo, n) -> {
            for (int i = 0; i < n; i++) {
                float v = x[xo + i];
                v = v < lo ? lo : v;
                o[oo + i] = v > hi ? hi : v;
            }
        };
    }

    static Unary leakyRelu(float slope) {
        return (x, xo, o, oo, n) -> {
            for (int i = 0; i < n; i++) {
                float v = x[xo + i];
                o[oo + i] = v > 0f ? v : v * slope;
            }
        };
    }

    // ------------------------------------------------------------------ drivers

    /** Whether the fast binary driver applies: every operand is float32 or 0-d (a scalar, converted to float). */
    static boolean eligible(Tensor a, Tensor b) {
        return (a.dtype() == DType.FLOAT32 || a.dim() == 0) && (b.dtype() == DType.FLOAT32 || b.dim() == 0);
    }

    /** {@code f} over float32 {@code x}; the result is a fresh contiguous float32 tensor. */
    static Tensor unary(Unary f, Tensor x, int grain) {
        Tensor out = Tensor.empty(DType.FLOAT32, x.intShape());
        int n = (int) out.numel();
        if (n == 0) return out;
        float[] xs = x.storage().floats();
        float[] o = out.storage().floats();
        if (x.isContiguous()) {
            int xo = x.storageOffset();
            Parallel.forRange(n, grain, (s, e) -> f.run(xs, xo + s, o, s, e - s));
            return out;
        }
        ElementwiseEngine.run(out, new Tensor[] {x}, grain, (m, off, st) -> {
            if (st[1] == 1) {
                f.run(xs, off[1], o, off[0], m);
                return;
            }
            float[] buf = RowIO.scratch().f[0];
            for (int c = 0; c < m; c += RowIO.CHUNK) {
                int k = Math.min(RowIO.CHUNK, m - c);
                gather(xs, off[1] + c * st[1], st[1], k, buf);
                f.run(buf, 0, o, off[0] + c, k);
            }
        });
        return out;
    }

    /** {@code f} over broadcast {@code a}, {@code b} with a float32 result; requires {@link #eligible}. */
    static Tensor binary(Op op, Binary f, Tensor a, Tensor b, int grain) {
        int[] aShape = a.intShape();
        int[] bShape = b.intShape();
        int[] shape = Shapes.broadcast(aShape, bShape, op);
        Tensor out = Tensor.empty(DType.FLOAT32, shape);
        int n = (int) out.numel();
        if (n == 0) return out;
        float[] o = out.storage().floats();
        boolean aFlat = a.dtype() == DType.FLOAT32 && a.isContiguous() && Arrays.equals(aShape, shape);
        boolean bFlat = b.dtype() == DType.FLOAT32 && b.isContiguous() && Arrays.equals(bShape, shape);
        if (aFlat && bFlat) {
            float[] x = a.storage().floats();
            float[] y = b.storage().floats();
            int ao = a.storageOffset();
            int bo = b.storageOffset();
            Parallel.forRange(n, grain, (s, e) -> f.vv(x, ao + s, y, bo + s, o, s, e - s));
            return out;
        }
        if (aFlat && b.dim() == 0) {
            float[] x = a.storage().floats();
            int ao = a.storageOffset();
            float sb = scalarValue(b);
            Parallel.forRange(n, grain, (s, e) -> f.vs(x, ao + s, sb, o, s, e - s));
            return out;
        }
        if (bFlat && a.dim() == 0) {
            float[] y = b.storage().floats();
            int bo = b.storageOffset();
            float sa = scalarValue(a);
            Parallel.forRange(n, grain, (s, e) -> f.sv(sa, y, bo + s, o, s, e - s));
            return out;
        }
        Tensor fa = a.dtype() == DType.FLOAT32 ? a : ElementwiseEngine.cast(a, DType.FLOAT32); // a 0-d scalar
        Tensor fb = b.dtype() == DType.FLOAT32 ? b : ElementwiseEngine.cast(b, DType.FLOAT32);
        float[] x = fa.storage().floats();
        float[] y = fb.storage().floats();
        ElementwiseEngine.run(out, new Tensor[] {fa, fb}, grain, (m, off, st) -> {
            int as = st[1];
            int bs = st[2];
            if (as == 1 && bs == 1) f.vv(x, off[1], y, off[2], o, off[0], m);
            else if (as == 1 && bs == 0) f.vs(x, off[1], y[off[2]], o, off[0], m);
            else if (as == 0 && bs == 1) f.sv(x[off[1]], y, off[2], o, off[0], m);
            else {
                RowIO.Scratch s = RowIO.scratch();
                for (int c = 0; c < m; c += RowIO.CHUNK) {
                    int k = Math.min(RowIO.CHUNK, m - c);
                    gather(x, off[1] + c * as, as, k, s.f[0]);
                    gather(y, off[2] + c * bs, bs, k, s.f[1]);
                    f.vv(s.f[0], 0, s.f[1], 0, o, off[0] + c, k);
                }
            }
        });
        return out;
    }

    /** The value of a 0-d tensor of any dtype, rounded to float as ATen converts a scalar to the compute dtype. */
    static float scalarValue(Tensor t) {
        return t.dtype() == DType.INT64 ? (float) t.storage().getLong(t.storageOffset())
                : (float) t.storage().getDouble(t.storageOffset());
    }

    private static void gather(float[] src, int off, int step, int n, float[] dst) {
        for (int i = 0; i < n; i++) dst[i] = src[off + i * step];
    }
}
