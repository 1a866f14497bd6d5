package dev.kiln.eager.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Measures FastMath32's error by sweeping each function's float range by bit pattern against a double reference
 * ({@link Math}, or Cody's {@link Erf} and {@link ScalarMath} for erf and GELU, which are accurate to ~1e-13),
 * and asserts the bounds its Javadoc states. Each sweep visits every float in its range whose ordinal is a
 * multiple of a stride chosen for about {@value #POINTS} points, plus a dense sweep of 2^20 consecutive
 * floats around 0, 1 and the function's switch points. The array helpers are checked bit for bit against the
 * scalar functions on the same points.
 */
class FastMath32Test {
    static final int POINTS = 3_000_000;

    /** Worst errors of one sweep: in ulp of the correctly rounded float result, and relative (for |ref| ≥ 2^-126). */
    record Errors(double ulp, double rel, float worstX) {
        @Override public String toString() { return String.format("%.3f ulp, %.3g rel (at x = %s)", ulp, rel, worstX); }
    }

    interface FloatFn { float apply(float x); }

    interface ArrayFn { void apply(float[] src, int so, float[] dst, int dOff, int n); }

    /** Floats ordered as integers: adjacent floats have adjacent ordinals, -0 and +0 are 0 and... 0 and 1 apart. */
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
        int around = 1 << 20;
        float[] xs = new float[sparse + dense.length * around];
        for (int i = 0; i < sparse; i++) xs[i] = fromOrdinal((int) (first + i * stride));
        int k = sparse;
        for (float d : dense) {
            int c = ordinal(d) - around / 2;
            for (int i = 0; i < around; i++) xs[k++] = fromOrdinal(c + i);
        }
        return xs;
    }

    static Errors measure(float[] xs, FloatFn f, DoubleUnaryOperator ref) {
        double worstUlp = 0;
        double worstRel = 0;
        float at = Float.NaN;
        for (float x : xs) {
            double r = ref.applyAsDouble(x);
            float got = f.apply(x);
            float rounded = (float) r;
            if (Float.isInfinite(rounded) || Double.isNaN(r)) {
                assertEquals(rounded, got, "f(" + x + ") expected " + r); // also compares NaN to NaN
                continue;
            }
            double err = Math.abs(got - r);
            double ulp = err / Math.ulp(rounded);
            if (ulp > worstUlp) {
                worstUlp = ulp;
                at = x;
            }
            if (Math.abs(r) >= 0x1p-126) worstRel = Math.max(worstRel, err / Math.abs(r));
        }
        return new Errors(worstUlp, worstRel, at);
    }

    static void assertArrayMatchesScalar(float[] xs, FloatFn f, ArrayFn g) {
        float[] out = new float[xs.length + 3];
        g.apply(xs, 0, out, 3, xs.length); // different offsets on purpose: the helper copies per block
        for (int i = 0; i < xs.length; i++) {
            if (Float.floatToIntBits(out[i + 3]) != Float.floatToIntBits(f.apply(xs[i]))) {
                throw new AssertionError("array and scalar differ at x = " + xs[i] + ": " + out[i + 3] + " vs "
                        + f.apply(xs[i]));
            }
        }
        float[] inPlace = xs.clone();
        g.apply(inPlace, 0, inPlace, 0, inPlace.length);
        for (int i = 0; i < xs.length; i++) {
            assertEquals(Float.floatToIntBits(f.apply(xs[i])), Float.floatToIntBits(inPlace[i]), "in place");
        }
    }

    private static Errors check(String name, float[] xs, FloatFn f, DoubleUnaryOperator ref, double maxUlp,
            double maxRel) {
        Errors e = measure(xs, f, ref);
        System.out.println("FastMath32." + name + ": " + e + " over " + xs.length + " points");
        assertTrue(e.ulp() <= maxUlp, name + " ulp " + e);
        assertTrue(e.rel() <= maxRel, name + " rel " + e);
        return e;
    }

    // ------------------------------------------------------------------ sweeps

    @Test
    void expWithinOneUlp() {
        float[] xs = sweep(-104f, 89f, 0f, -87.3f, 88.72f);
        check("exp", xs, FastMath32::exp, Math::exp, 1.0, 1.2e-7);
        assertArrayMatchesScalar(xs, FastMath32::exp, FastMath32::exp);
    }

    @Test
    void expm1WithinTwoUlp() {
        float[] xs = sweep(-90f, 88.7f, 0f, 0.3466f, -0.3466f, 40f);
        check("expm1", xs, FastMath32::expm1, Math::expm1, 2.0, 2.4e-7);
    }

    @Test
    void tanhWithinTwoAndAHalfUlp() {
        float[] xs = sweep(-10f, 10f, 0f, 0.1733f, 9.1f);
        check("tanh", xs, FastMath32::tanh, Math::tanh, 2.5, 3e-7);
        assertArrayMatchesScalar(xs, FastMath32::tanh, FastMath32::tanh);
    }

    @Test
    void sigmoidWithinTwoAndAHalfUlp() {
        float[] xs = sweep(-104f, 30f, 0f, -87f);
        check("sigmoid", xs, FastMath32::sigmoid, x -> 1 / (1 + Math.exp(-x)), 2.5, 3e-7);
        assertArrayMatchesScalar(xs, FastMath32::sigmoid, FastMath32::sigmoid);
    }

    @Test
    void siluWithinThreeUlpWhereSigmoidIsNormal() {
        DoubleUnaryOperator ref = x -> x / (1 + Math.exp(-x));
        float[] xs = sweep(-87.3f, 100f, 0f);
        check("silu", xs, FastMath32::silu, ref, 3.0, 3.6e-7);
        assertArrayMatchesScalar(xs, FastMath32::silu, FastMath32::silu);
        // below -87.3 sigmoid(x) is subnormal: silu = x sigmoid(x) keeps its absolute rounding error (≤ one subnormal ulp), times |x|
        float[] deep = sweep(-110f, -87.3f);
        for (float x : deep) {
            double err = Math.abs(FastMath32.silu(x) - ref.applyAsDouble(x));
            assertTrue(err <= Math.abs(x) * 0x1p-148, "silu(" + x + ") error " + err);
        }
        assertArrayMatchesScalar(deep, FastMath32::silu, FastMath32::silu);
    }

    @Test
    void erfWithinThreeAndAHalfUlp() {
        float[] xs = sweep(-6f, 6f, 0f, 0.5f, -0.5f);
        check("erf", xs, FastMath32::erf, Erf::erf, 3.5, 4e-7);
    }

    @Test
    void erfcWithinFourTenMillionthsRelative() {
        float[] xs = sweep(-6f, 10f, 0f, 3f, 9f);
        check("erfc", xs, FastMath32::erfc, Erf::erfc, 6.0, 4e-7);
    }

    @Test
    void exactGeluWithinFiveTenMillionthsRelative() {
        float[] xs = sweep(-14f, 14f, 0f, -5f, -10f);
        check("gelu", xs, FastMath32::gelu, ScalarMath::gelu, 8.0, 5e-7);
        assertArrayMatchesScalar(xs, FastMath32::gelu, FastMath32::gelu);
    }

    @Test
    void tanhGeluWithinFourUlpAboveMinusOne() {
        float[] xs = sweep(-1f, 14f, 0f);
        check("geluTanh", xs, FastMath32::geluTanh, ScalarMath::geluTanh, 4.0, 4.8e-7);
        assertArrayMatchesScalar(xs, FastMath32::geluTanh, FastMath32::geluTanh);
    }

    /**
     * Below -1 the float rounding of 2u = x (K1 + K2 x²) (as in ATen's float kernel) costs up to |2u| 2^-24
     * relative in e^{2u}; |2u| reaches 200 at x = -14, where the result has underflowed to 0.
     */
    @Test
    void tanhGeluErrorBelowMinusOneIsThatOfRoundingTheArgument() {
        float[] xs = sweep(-14f, -1f);
        check("geluTanh(x < -1)", xs, FastMath32::geluTanh, ScalarMath::geluTanh, 210, 1.4e-5);
        assertArrayMatchesScalar(xs, FastMath32::geluTanh, FastMath32::geluTanh);
    }

    @Test
    void logWithinOneUlpOverAllPositiveFloats() {
        float[] xs = sweep(Float.MIN_VALUE, Float.MAX_VALUE, 1f, 0.70710677f, 1.4142135f);
        check("log", xs, FastMath32::log, Math::log, 1.0, 1.2e-7);
        assertArrayMatchesScalar(xs, FastMath32::log, FastMath32::log);
    }

    // ------------------------------------------------------------------ special values

    private static final float[] SPECIALS = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f,
        Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE, 88.72283f, 88.72284f,
        -103.97208f, -103.97209f, 1e30f, -1e30f};

    @Test
    void specialValuesMatchTheFunctionsLimits() {
        for (float x : SPECIALS) {
            assertSame(Math.exp(x), FastMath32.exp(x), "exp", x);
            assertSame(Math.tanh(x), FastMath32.tanh(x), "tanh", x);
            assertSame(Erf.erf(x), FastMath32.erf(x), "erf", x);
            assertSame(Math.log(x), FastMath32.log(x), "log", x);
            assertSame(Math.expm1(x), FastMath32.expm1(x), "expm1", x);
        }
        assertEquals(1f, FastMath32.sigmoid(Float.POSITIVE_INFINITY));
        assertEquals(0f, FastMath32.sigmoid(Float.NEGATIVE_INFINITY));
        assertEquals(0.5f, FastMath32.sigmoid(0f));
        assertEquals(0.5f, FastMath32.sigmoid(Float.MIN_VALUE));
        assertTrue(Float.isNaN(FastMath32.sigmoid(Float.NaN)));
        assertEquals(2f, FastMath32.erfc(Float.NEGATIVE_INFINITY));
        assertEquals(0f, FastMath32.erfc(Float.POSITIVE_INFINITY));
        assertTrue(Float.isNaN(FastMath32.erfc(Float.NaN)));
        assertEquals(Float.POSITIVE_INFINITY, FastMath32.gelu(Float.POSITIVE_INFINITY));
        assertTrue(Float.isNaN(FastMath32.gelu(Float.NEGATIVE_INFINITY))); // -inf · 0, as ATen
        assertTrue(Float.isNaN(FastMath32.gelu(Float.NaN)));
        assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(FastMath32.gelu(-0f)));
        assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(FastMath32.silu(-0f)));
        assertEquals(Float.POSITIVE_INFINITY, FastMath32.geluTanh(Float.POSITIVE_INFINITY));
        // no spurious 0 where 1 + e^100 overflows
        assertEquals(-100 / (1 + Math.exp(100)), FastMath32.silu(-100f), 100 * 0x1p-148);
        assertEquals(3.7200760e-44f, FastMath32.sigmoid(-100f), Float.MIN_VALUE);
    }

    /** Bit-equal where the result is a limit (non-finite, 0, ±1), else within 4 ulp. */
    private static void assertSame(double expected, float got, String name, float x) {
        float e = (float) expected;
        if (Float.isFinite(e) && e != 0 && Math.abs(e) != 1) {
            assertTrue(Math.abs(got - expected) <= 4 * Math.ulp(e), name + "(" + x + ") = " + got + ", expected " + e);
            return;
        }
        assertEquals(Float.floatToIntBits(e), Float.floatToIntBits(got), name + "(" + x + ") = " + got + ", expected " + e);
    }

    @Test
    void arrayHelpersHandleSpecialsBlocksAndOffsets() {
        int n = 3 * FastMath32.BLOCK + 5; // several blocks and a ragged tail
        float[] src = new float[n + 7];
        java.util.Random rnd = new java.util.Random(3);
        for (int i = 0; i < src.length; i++) src[i] = rnd.nextFloat() * 40 - 20;
        System.arraycopy(SPECIALS, 0, src, 100, SPECIALS.length);
        float[] dst = new float[n + 2];
        FastMath32.exp(src, 7, dst, 2, n);
        for (int i = 0; i < n; i++) {
            assertEquals(Float.floatToIntBits(FastMath32.exp(src[7 + i])), Float.floatToIntBits(dst[2 + i]));
        }
        float[] positive = new float[n];
        for (int i = 0; i < n; i++) positive[i] = Math.abs(src[i]);
        FastMath32.log(positive, 0, dst, 0, n);
        for (int i = 0; i < n; i++) {
            assertEquals(Float.floatToIntBits(FastMath32.log(positive[i])), Float.floatToIntBits(dst[i]));
        }
        FastMath32.tanh(src, 0, dst, 0, 0); // empty is fine
        assertThrows(IndexOutOfBoundsException.class, () -> FastMath32.exp(src, 10, dst, 0, n));
        assertThrows(IllegalArgumentException.class, () -> FastMath32.exp(src, 0, src, 1, 10));
    }
}
