package dev.kiln.codegen.jvm.vector;

/**
 * The scalar twin of {@link VectorMath32}: each function performs, on one float, exactly the operations that the
 * vector version performs on each lane (same constants, same order, {@link Math#fma} where it uses
 * {@code FloatVector.fma}, ternaries where it blends), so its results are bit-for-bit those of a lane (asserted by
 * {@code VectorMath32Test}). Generated vector loops use it for their scalar tail and for the scalar loop they run
 * while the vector loop warms up, so a compiled graph gives the same bits whichever path a point took — on any call,
 * at any position, with any thread split. Needs no incubator module.
 */
public final class LaneMath32 {
    private LaneMath32() {}

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float MAGIC = 12582912f;
    private static final int MAGIC_BITS = 0x4B400000;
    private static final float MAGIC_127 = MAGIC + 127f;
    private static final float MAGIC_202 = MAGIC + 202f;
    private static final float EXP_LO = -104f;
    private static final float EXP_HI = 89f;
    private static final float TANH_CLAMP = 9.1f;
    private static final float GELU_CLAMP = 14.3f;
    private static final float SQRT1_2 = 0.70710678118654752f;
    private static final float GELU_K1 = 1.59576912160573071f;
    private static final float GELU_K2 = 0.0713548162726008f;
    private static final float SPLIT_8 = 49152f;

    private static float expTail(float r) {
        float p = Math.fma(r, 1.9875691500e-4f, 1.3981999507e-3f);
        p = Math.fma(p, r, 8.3334519073e-3f);
        p = Math.fma(p, r, 4.1665795894e-2f);
        p = Math.fma(p, r, 1.6666665459e-1f);
        return Math.fma(p, r, 5.0000001201e-1f);
    }

    private static float expPoly(float r) { return Math.fma(expTail(r), r * r, r) + 1f; }

    private static float expm1Poly(float r) { return Math.fma(expTail(r), r * r, r); }

    private static float reduce(float x, float n) { return Math.fma(n, -LN2_LO, Math.fma(n, -LN2_HI, x)); }

    private static float encodeLog2(float x) { return Math.fma(x, LOG2E, MAGIC); }

    private static float pow2Low(float t) { return Float.intBitsToFloat(Float.floatToRawIntBits(t) << 23); }

    private static float pow2(int biased) { return Float.intBitsToFloat(biased << 23); }

    private static float scale(float p, float t) {
        int k = Float.floatToRawIntBits(t) - MAGIC_BITS;
        int h = k >> 1;
        return p * pow2(h + 127) * pow2(k - h + 127);
    }

    private static float scaleNonPositive(float p, float t) {
        return p * pow2Low(t) * 0x1p-75f;
    }

    private static float expHiLo(float c, float hi, float lo) {
        float t = Math.fma(hi + lo, LOG2E, MAGIC_202);
        float r = reduce(hi, t - MAGIC_202) + lo;
        return scaleNonPositive(c * expPoly(r), t);
    }

    private static float erfcExponent(float t) {
        float t2 = t * t;
        float t4 = t2 * t2;
        float m12 = Math.fma(t, 0.3859063982963562f, 0.9987261891365051f);
        float m34 = Math.fma(t, -0.007401471957564354f, 0.0378141924738884f);
        float m56 = Math.fma(t, -0.7131352424621582f, -0.06522908806800842f);
        float m78 = Math.fma(t, -0.6855573058128357f, 1.1685775518417358f);
        float m14 = Math.fma(t2, m34, m12);
        float m58 = Math.fma(t2, m78, m56);
        float m = Math.fma(t4 * t4, 0.14575183391571045f, Math.fma(t4, m58, m14));
        return Math.fma(m, t, -1.2654529809951782f);
    }

    private static float clamp(float x, float lo, float hi) {
        float y = x < lo ? lo : x;
        return x > hi ? hi : y;
    }

    private static float withSignOf(float v, float s) {
        return Float.intBitsToFloat(Float.floatToRawIntBits(v) | (Float.floatToRawIntBits(s) & 0x80000000));
    }

    /** {@link VectorMath32#exp} on one lane. */
    public static float exp(float x) {
        float xc = clamp(x, EXP_LO, EXP_HI);
        float t = encodeLog2(xc);
        return scale(expPoly(reduce(xc, t - MAGIC)), t);
    }

    private static float expNegAbs(float x) {
        float a = -Math.abs(x);
        float ac = a < EXP_LO ? EXP_LO : a;
        float t = Math.fma(ac, LOG2E, MAGIC_202);
        return scaleNonPositive(expPoly(reduce(ac, t - MAGIC_202)), t);
    }

    /** {@link VectorMath32#expm1} on one lane. */
    public static float expm1(float x) {
        float xc = clamp(x, -30f, 40f);
        float t = Math.fma(xc, LOG2E, MAGIC_127);
        float s = pow2Low(t);
        float v = Math.fma(s, expm1Poly(reduce(xc, t - MAGIC_127)), s - 1f);
        v = x > 40f ? exp(x) : v;
        return Math.abs(x) < 0x1p-25f ? x : v;
    }

    /** {@link VectorMath32#tanh} on one lane. */
    public static float tanh(float x) {
        float xa = Math.abs(x);
        float a = (xa > TANH_CLAMP ? TANH_CLAMP : xa) * -2f;
        float t = Math.fma(a, LOG2E, MAGIC_127);
        float s = pow2Low(t);
        float em = Math.fma(s, expm1Poly(reduce(a, t - MAGIC_127)), s - 1f);
        return withSignOf((0f - em) / (em + 2f), x);
    }

    /** {@link VectorMath32#sigmoid} on one lane. */
    public static float sigmoid(float x) {
        float e = expNegAbs(x);
        return (x > 0f ? 1f : e) / (e + 1f);
    }

    /** {@link VectorMath32#silu} on one lane. */
    public static float silu(float x) { return x * sigmoid(x); }

    /** {@link VectorMath32#geluTanh} on one lane. */
    public static float geluTanh(float x) { return x * sigmoid(Math.fma(x * x, GELU_K2, GELU_K1) * x); }

    /** {@link VectorMath32#gelu} on one lane. */
    public static float gelu(float x) {
        float xu = Math.abs(x);
        float xa = xu > GELU_CLAMP ? GELU_CLAMP : xu;
        float t = 1f / Math.fma(xa, 0.5f * SQRT1_2, 1f);
        float xh = xa + SPLIT_8 - SPLIT_8;
        float hi = xh * xh * -0.5f;
        float lo = Math.fma((xa - xh) * (xa + xh), -0.5f, erfcExponent(t));
        float g = expHiLo(xa * -0.5f * t, hi, lo);
        return x > 0f ? x + g : Math.fma(x, 0f, g);
    }

    /** {@link VectorMath32#log} on one lane. */
    public static float log(float x) {
        boolean sub = x < 0x1p-126f;
        float xs = sub ? x * 0x1p23f : x;
        int bits = Float.floatToRawIntBits(xs) + (0x3f800000 - 0x3f3504f3);
        float e = Float.intBitsToFloat((bits >>> 23) + MAGIC_BITS) - (MAGIC + 127f) - (sub ? 23f : 0f);
        float f = Float.intBitsToFloat((bits & 0x007fffff) + 0x3f3504f3) - 1f;
        float y = logPoly(f, e);
        y = !(x >= 0f) ? Float.NaN : y;
        y = x == 0f ? Float.NEGATIVE_INFINITY : y;
        return x == Float.POSITIVE_INFINITY ? Float.POSITIVE_INFINITY : y;
    }

    private static float logPoly(float f, float e) {
        float z = f * f;
        float p = Math.fma(f, 7.0376836292e-2f, -1.1514610310e-1f);
        p = Math.fma(p, f, 1.1676998740e-1f);
        p = Math.fma(p, f, -1.2420140846e-1f);
        p = Math.fma(p, f, 1.4249322787e-1f);
        p = Math.fma(p, f, -1.6668057665e-1f);
        p = Math.fma(p, f, 2.0000714765e-1f);
        p = Math.fma(p, f, -2.4999993993e-1f);
        p = Math.fma(p, f, 3.3333331174e-1f);
        float y = Math.fma(f * z, p, Math.fma(e, LN2_LO, 0f)) - z * 0.5f;
        return Math.fma(e, LN2_HI, f + y);
    }

    /** ELU as the vector loop computes it: {@code x > 0 ? x : expm1(x)·alpha}. */
    public static float elu(float x, float alpha) { return x > 0f ? x : expm1(x) * alpha; }

    /** rsqrt as the vector loop computes it: {@code 1 / sqrt(x)} in float (two roundings). */
    public static float rsqrt(float x) { return 1f / (float) Math.sqrt(x); }
}
