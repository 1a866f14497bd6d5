package dev.kiln.codegen.jvm.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.eager.kernels.Erf;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/**
 * Sweeps each {@link VectorMath32} function over its float range by bit pattern (about {@value #POINTS} strided
 * points plus 2^18 consecutive floats around 0 and the switch points) against a float64 reference ({@link Math},
 * Cody's {@link Erf} for GELU) and asserts the bounds of docs/fast-math.md ("vector" rows). ulp = error over the
 * spacing of floats at the correctly rounded result (subnormal results included); rel = relative error where the
 * reference is a normal float. Special values (NaN, ±inf, ±0, overflow/underflow edges) must equal the rounded
 * reference exactly.
 */
class VectorMath32Test {
    static final int POINTS = 1_000_000;
    static final int LANES = VectorMath32.LANES;

    record Errors(double ulp, double rel, float worstX) {
        @Override public String toString() { return String.format("%.3f ulp, %.3g rel (at x = %s)", ulp, rel, worstX); }
    }

    static int ordinal(float f) {
        int b = Float.floatToRawIntBits(f);
        return b >= 0 ? b : Integer.MIN_VALUE - b;
    }

    static float fromOrdinal(int o) { return Float.intBitsToFloat(o >= 0 ? o : Integer.MIN_VALUE - o); }

    static float[] sweep(float lo, float hi, float... dense) {
        long first = ordinal(lo);
        long last = ordinal(hi);
        long stride = Math.max(1, (last - first) / POINTS) | 1;
        int sparse = (int) ((last - first) / stride + 1);
        int around = 1 << 18;
        float[] xs = new float[sparse + dense.length * around];
        for (int i = 0; i < sparse; i++) xs[i] = fromOrdinal((int) (first + i * stride));
        int k = sparse;
        for (float d : dense) {
            int c = ordinal(d) - around / 2;
            for (int i = 0; i < around; i++) xs[k++] = fromOrdinal(c + i);
        }
        return xs;
    }

    /** f applied lane-wise to all of xs (the last partial vector padded with copies of xs[0]). */
    static float[] apply(UnaryOperator<FloatVector> f, float[] xs) {
        int n = (xs.length + LANES - 1) / LANES * LANES;
        float[] in = new float[n];
        java.util.Arrays.fill(in, xs.length == 0 ? 0f : xs[0]);
        System.arraycopy(xs, 0, in, 0, xs.length);
        float[] out = new float[n];
        for (int i = 0; i < n; i += LANES) f.apply(FloatVector.fromArray(VectorMath32.SPECIES, in, i)).intoArray(out, i);
        return out;
    }

    static Errors measure(float[] xs, UnaryOperator<FloatVector> f, DoubleUnaryOperator ref) {
        float[] got = apply(f, xs);
        double worstUlp = 0;
        double worstRel = 0;
        float at = Float.NaN;
        for (int i = 0; i < xs.length; i++) {
            float x = xs[i];
            double r = ref.applyAsDouble(x);
            float rounded = (float) r;
            if (Float.isInfinite(rounded) || Double.isNaN(r)) {
                assertEquals(rounded, got[i], "f(" + x + ") expected " + r);
                continue;
            }
            double err = Math.abs(got[i] - r);
            double ulp = err / Math.ulp(rounded);
            if (!(ulp <= worstUlp)) { // NaN results count as worst
                worstUlp = Double.isNaN(ulp) ? Double.POSITIVE_INFINITY : ulp;
                at = x;
            }
            if (Math.abs(r) >= 0x1p-126) worstRel = Math.max(worstRel, err / Math.abs(r));
        }
        return new Errors(worstUlp, worstRel, at);
    }

    /** {@link LaneMath32}'s function must give bit-for-bit each lane's result (the generated loops rely on it). */
    static void assertLanesMatch(String name, float[] xs, UnaryOperator<FloatVector> f, FloatUnaryOperator lane) {
        float[] v = apply(f, xs);
        for (int i = 0; i < xs.length; i++) {
            float l = lane.apply(xs[i]);
            if (Float.floatToIntBits(l) != Float.floatToIntBits(v[i])) {
                throw new AssertionError(name + ": LaneMath32 and VectorMath32 differ at x = " + xs[i] + ": " + l
                        + " vs " + v[i]);
            }
        }
    }

    interface FloatUnaryOperator { float apply(float x); }

    private static void check(String name, float[] xs, UnaryOperator<FloatVector> f, DoubleUnaryOperator ref,
            double maxUlp, double maxRel) {
        Errors e = measure(xs, f, ref);
        System.out.println("VectorMath32." + name + ": " + e + " over " + xs.length + " points");
        assertTrue(e.ulp() <= maxUlp, name + " ulp " + e + ", bound " + maxUlp);
        assertTrue(e.rel() <= maxRel, name + " rel " + e + ", bound " + maxRel);
    }

    static double sigmoidRef(double x) { return 1 / (1 + Math.exp(-x)); }

    static double geluRef(double x) { return x * 0.5 * Erf.erfc(-x * Math.sqrt(0.5)); }

    /** ATen's float tanh-GELU with 2u rounded to float first (as VectorMath32 and FastMath32 do). */
    static double geluTanhRef(double x) {
        float xf = (float) x;
        double twoU = xf * (1.59576912160573071f + 0.0713548162726008f * (xf * xf));
        return x * sigmoidRef(twoU);
    }

    @Test
    void exp() {
        check("exp", sweep(-104f, 89f, 0f, -87.3f, 88.72f), VectorMath32::exp, Math::exp, 1.0, 1.2e-7);
    }

    @Test
    void expm1() {
        check("expm1", sweep(-90f, 88.7f, 0f, 0.3466f, -0.3466f, 40f), VectorMath32::expm1, Math::expm1, 2.0, 2.4e-7);
    }

    @Test
    void tanh() {
        check("tanh", sweep(-10f, 10f, 0f, 0.1733f, 9.1f), VectorMath32::tanh, Math::tanh, 2.5, 3e-7);
    }

    @Test
    void sigmoid() {
        check("sigmoid", sweep(-104f, 30f, 0f, -87f), VectorMath32::sigmoid, VectorMath32Test::sigmoidRef, 2.5, 3e-7);
    }

    @Test
    void silu() {
        check("silu", sweep(-87.3f, 100f, 0f), VectorMath32::silu, x -> x * sigmoidRef(x), 3.5, 3.6e-7);
        float[] deep = sweep(-110f, -87.3f);
        float[] got = apply(VectorMath32::silu, deep);
        for (int i = 0; i < deep.length; i++) {
            double err = Math.abs(got[i] - deep[i] * sigmoidRef(deep[i]));
            assertTrue(err <= Math.abs(deep[i]) * 0x1p-148, "silu(" + deep[i] + ") error " + err);
        }
    }

    @Test
    void gelu() {
        check("gelu", sweep(-14f, 14f, 0f, -5f, -10f), VectorMath32::gelu, VectorMath32Test::geluRef, 8.0, 5e-7);
    }

    @Test
    void geluTanh() {
        check("geluTanh", sweep(-1f, 14f, 0f), VectorMath32::geluTanh, VectorMath32Test::geluTanhRef, 4.0, 4.8e-7);
        // below -1, e^{2u} amplifies the float rounding of 2u (here with an fma, so not the reference's) by |2u| ≤ 200
        check("geluTanh(x < -1)", sweep(-14f, -1f), VectorMath32::geluTanh, VectorMath32Test::geluTanhRef, 210, 1.4e-5);
    }

    @Test
    void log() {
        check("log", sweep(Float.MIN_VALUE, Float.MAX_VALUE, 1f, 0.70710677f, 1.4142135f), VectorMath32::log, Math::log,
                1.0, 1.2e-7);
    }

    @Test
    void laneMath32IsBitIdenticalToEachLane() {
        float[] wide = concat(sweep(-110f, 110f, 0f, 40f, -30f, 9.1f), SPECIALS);
        assertLanesMatch("exp", wide, VectorMath32::exp, LaneMath32::exp);
        assertLanesMatch("expm1", wide, VectorMath32::expm1, LaneMath32::expm1);
        assertLanesMatch("tanh", wide, VectorMath32::tanh, LaneMath32::tanh);
        assertLanesMatch("sigmoid", wide, VectorMath32::sigmoid, LaneMath32::sigmoid);
        assertLanesMatch("silu", wide, VectorMath32::silu, LaneMath32::silu);
        assertLanesMatch("gelu", wide, VectorMath32::gelu, LaneMath32::gelu);
        assertLanesMatch("geluTanh", wide, VectorMath32::geluTanh, LaneMath32::geluTanh);
        assertLanesMatch("log", concat(sweep(-1f, Float.MAX_VALUE, 1f, Float.MIN_NORMAL), SPECIALS), VectorMath32::log,
                LaneMath32::log);
    }

    /** expNonPositive replaces exp in generated loops where x ≤ 0 by form: the same bits required there. */
    @Test
    void expNonPositiveIsExpBitForBitWhereXIsNotPositive() {
        float[] xs = concat(sweep(-110f, -0f, -0f, -87.3f, -103.97f, -104f, -0.3466f),
                new float[] {Float.NaN, Float.NEGATIVE_INFINITY, -0f, 0f, -Float.MIN_VALUE, -Float.MAX_VALUE});
        float[] want = apply(VectorMath32::exp, xs);
        float[] got = apply(VectorMath32::expNonPositive, xs);
        for (int i = 0; i < xs.length; i++) assertSame(want[i], got[i], "expNonPositive", xs[i]);
    }

    static float[] concat(float[] a, float[] b) {
        float[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private static final float[] SPECIALS = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f,
        Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE, 88.72283f, 88.72284f,
        -103.97208f, -103.97209f, 1e30f, -1e30f};

    /** Values whose reference is exact in float: must be equal (NaN to NaN, signed zeros included). */
    @Test
    void specialValues() {
        float[] e = apply(VectorMath32::exp, SPECIALS);
        float[] th = apply(VectorMath32::tanh, SPECIALS);
        float[] sg = apply(VectorMath32::sigmoid, SPECIALS);
        float[] lg = apply(VectorMath32::log, SPECIALS);
        float[] em = apply(VectorMath32::expm1, SPECIALS);
        float[] ge = apply(VectorMath32::gelu, SPECIALS);
        for (int i = 0; i < SPECIALS.length; i++) {
            float x = SPECIALS[i];
            if (Math.abs(x) > 50 || x == 0 || Float.isNaN(x)) {
                assertSame((float) Math.exp(x), e[i], "exp", x);
                assertSame((float) Math.tanh(x), th[i], "tanh", x);
                assertSame((float) Math.expm1(x), em[i], "expm1", x);
            }
            if (Math.abs(x) > 200 || x == 0 || Float.isNaN(x)) assertSame((float) sigmoidRef(x), sg[i], "sigmoid", x);
            if (x <= 0 || Float.isNaN(x) || Float.isInfinite(x)) assertSame((float) Math.log(x), lg[i], "log", x);
        }
        assertSame(Float.NaN, ge[2], "gelu", Float.NEGATIVE_INFINITY); // ATen: -inf * 0.5 * (1 + erf(-inf)) = NaN
        assertSame(Float.POSITIVE_INFINITY, ge[1], "gelu", Float.POSITIVE_INFINITY);
        assertSame(-0f, ge[4], "gelu", -0f);
        assertSame(Float.NaN, ge[0], "gelu", Float.NaN);
    }

    private static void assertSame(float expected, float got, String fn, float x) {
        assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(got), fn + "(" + x + "): expected "
                + expected + ", found " + got);
    }
}
