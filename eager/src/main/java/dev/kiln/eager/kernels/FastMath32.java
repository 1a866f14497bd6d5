package dev.kiln.eager.kernels;

/**
 * Float32 approximations of the transcendental functions used by the eager float32 kernels, written so that
 * HotSpot C2 (JDK 17) can vectorise the array loops.
 *
 * <p><b>Accuracy.</b> Every bound below is asserted by {@code FastMath32Test}, which sweeps the float range by
 * bit pattern (about 3 million strided points plus 2^20 consecutive floats around 0 and each switch point, 4 to
 * 7 million points per function) against a double reference ({@link Math}; Cody's erf for erf, erfc and GELU).
 * "ulp" is the spacing of floats at the correctly rounded result (subnormal results included); "rel" is the
 * relative error where the result is a normal float. Measured maxima, 2026-11-21, in brackets.
 * <table>
 * <caption>Asserted (measured) maximum errors</caption>
 * <tr><th>function</th><th>domain swept</th><th>ulp</th><th>rel</th></tr>
 * <tr><td>{@link #exp}</td><td>[-104, 89]</td><td>1 (0.93)</td><td>1.2e-7 (7.6e-8)</td></tr>
 * <tr><td>{@link #expm1}</td><td>[-90, 88.7]</td><td>2 (1.57)</td><td>2.4e-7 (1.1e-7)</td></tr>
 * <tr><td>{@link #tanh}</td><td>[-10, 10]</td><td>2.5 (2.49)</td><td>3e-7 (1.7e-7)</td></tr>
 * <tr><td>{@link #sigmoid}</td><td>[-104, 30]</td><td>2.5 (2.18)</td><td>3e-7 (1.8e-7)</td></tr>
 * <tr><td>{@link #silu}</td><td>[-87.3, 100]</td><td>3 (2.90)</td><td>3.6e-7 (2.0e-7)</td></tr>
 * <tr><td>{@link #silu}</td><td>[-110, -87.3]</td><td colspan="2">absolute ≤ |x|·2^-148 (sigmoid is
 *     subnormal there)</td></tr>
 * <tr><td>{@link #erf}</td><td>[-6, 6]</td><td>3.5 (3.27)</td><td>4e-7 (3.7e-7)</td></tr>
 * <tr><td>{@link #erfc}</td><td>[-6, 10]</td><td>6 (5.35)</td><td>4e-7 (3.7e-7)</td></tr>
 * <tr><td>{@link #gelu}</td><td>[-14, 14]</td><td>8 (7.09)</td><td>5e-7 (4.9e-7)</td></tr>
 * <tr><td>{@link #geluTanh}</td><td>[-1, 14]</td><td>4 (2.61)</td><td>4.8e-7 (2.4e-7)</td></tr>
 * <tr><td>{@link #geluTanh}</td><td>[-14, -1]</td><td>210 (203)</td><td>1.4e-5 (1.3e-5): rounding 2u to
 *     float, as ATen's float kernel does, costs |2u|·2^-24 relative</td></tr>
 * <tr><td>{@link #log}</td><td>(0, MAX_VALUE]</td><td>1 (0.83)</td><td>1.2e-7 (7.8e-8)</td></tr>
 * </table>
 * The array helpers compute bit-for-bit the same values as the scalar functions (also asserted).
 *
 * <p><b>Special values.</b> exp: +inf for x &gt; 88.72 (and +inf), 0 below -103.97, NaN for NaN; subnormal
 * results are rounded once. tanh, sigmoid, erf, erfc saturate exactly at ±1 / 0 / 2; all propagate NaN and keep
 * the sign of zero where the function is odd. gelu(-inf) is NaN (as ATen's {@code x * 0.5 * (1 + erf(..))}).
 *
 * <p><b>Why the array helpers look the way they do.</b> C2 in JDK 17 vectorises a loop only if it has no
 * branches, no int/float conversions or bit moves ({@code floatToRawIntBits}), and all its float arrays are
 * indexed by the same expression (two different offsets might alias, so it gives up). Building 2^n from n needs
 * a bit move, so each helper runs per block of {@value #BLOCK} elements: the block is copied into per-thread
 * scratch arrays indexed from 0; a vector loop does the range reduction and the polynomial; a short scalar loop
 * turns the rounded n (kept as {@code n + 1.5·2^23}, whose low mantissa bits are n) into the scale 2^n; and a
 * second vector loop finishes the function. Selections are written as blends with a weight that is exactly
 * 0 or 1 ({@code min(max(x·2^150, 0), 1)}), so that no branch is left in the vector loops.
 */
public final class FastMath32 {
    private FastMath32() {}

    static final int BLOCK = 1024;

    // ------------------------------------------------------------------ constants

    private static final float LOG2E = 1.44269504088896341f;
    /** ln 2 split so that {@code n * LN2_HI} is exact for |n| &lt; 2^15 (Cody and Waite). */
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** Adding and subtracting 1.5·2^23 rounds a float below 2^22 in magnitude to an integer. */
    private static final float MAGIC = 12582912f;
    private static final int MAGIC_BITS = 0x4B400000;
    /** exp overflows to +inf above ln(2^128) ≈ 88.72 and underflows to 0 below ≈ -103.97. */
    private static final float EXP_LO = -104f;
    private static final float EXP_HI = 89f;
    /** tanh(|x|) rounds to 1 for |x| &gt; 9.1. */
    private static final float TANH_CLAMP = 9.1f;
    /** Φ(x) is below the smallest subnormal for x &lt; -14.3 (and 1 - Φ(x) below float's ulp above +6). */
    private static final float GELU_CLAMP = 14.3f;
    private static final float SQRT1_2 = 0.70710678118654752f;
    private static final float TWO_OVER_SQRT_PI = 1.12837916709551257f;
    /** Tanh-GELU's 2u = x (K1 + K2 x²), with K1 = 2√(2/π) and K2 = 0.044715 K1. */
    private static final float GELU_K1 = 1.59576912160573071f;
    private static final float GELU_K2 = 0.0713548162726008f;
    /** Rounds a value below 2^7 to a multiple of 2^-8, leaving at most 12 significant bits (exact square). */
    private static final float SPLIT_8 = 49152f;

    // ------------------------------------------------------------------ polynomials (shared, inlined)

    /** e^r - 1 - r over r², for |r| ≤ ln2/2 (Cephes {@code expf}, relative error below 1 ulp). */
    private static float expTail(float r) {
        float p = 1.9875691500e-4f;
        p = p * r + 1.3981999507e-3f;
        p = p * r + 8.3334519073e-3f;
        p = p * r + 4.1665795894e-2f;
        p = p * r + 1.6666665459e-1f;
        return p * r + 5.0000001201e-1f;
    }

    /** e^r for |r| ≤ ln2/2 (a little beyond is fine). */
    private static float expPoly(float r) { return expTail(r) * (r * r) + r + 1f; }

    /** e^r - 1 for |r| ≤ ln2/2, accurate relative to the (small) result. */
    private static float expm1Poly(float r) { return expTail(r) * (r * r) + r; }

    /** {@code x - n ln2} with n a small integer, exact in its first step. */
    private static float reduce(float x, float n) { return (x - n * LN2_HI) - n * LN2_LO; }

    /** The integer nearest to {@code x / ln2}, as a float; |x| must be below 2^21. */
    private static float roundedLog2(float x) { return (x * LOG2E + MAGIC) - MAGIC; }

    /** 2^k for -126 ≤ k ≤ 127. */
    private static float pow2(int k) { return Float.intBitsToFloat((k + 127) << 23); }

    /** n from its encoding {@code n + MAGIC}. */
    private static int decode(float t) { return Float.floatToRawIntBits(t) - MAGIC_BITS; }

    /** {@code p · 2^k} for k in [-151, 129], rounded once: the two halves of k are both normal scales. */
    private static float scale(float p, int k) {
        int h = k >> 1;
        return p * pow2(h) * pow2(k - h);
    }

    /** 1 for x &gt; 0 (any positive float, subnormals included), 0 for ±0 and x &lt; 0, NaN for NaN. */
    private static float step(float x) { return Math.min(Math.max(x * 0x1p100f * 0x1p50f, 0f), 1f); }

    /** ±1 with the sign of x, ±0 for ±0, NaN for NaN. */
    private static float sign(float x) { return Math.min(Math.max(x * 0x1p100f * 0x1p50f, -1f), 1f); }

    /**
     * log(erfc(z)/t) + z² as a polynomial in t = 1/(1 + z/2), z ≥ 0: the form of Numerical Recipes' {@code erfcc},
     * refitted (degree 9, iteratively reweighted least squares over z in [0, 10.5]); the fit error is 8e-8,
     * which is the relative error it contributes to erfc.
     */
    private static float erfcExponent(float t) {
        float p = 0.14575183391571045f;
        p = p * t - 0.6855573058128357f;
        p = p * t + 1.1685775518417358f;
        p = p * t - 0.7131352424621582f;
        p = p * t - 0.06522908806800842f;
        p = p * t - 0.007401471957564354f;
        p = p * t + 0.0378141924738884f;
        p = p * t + 0.3859063982963562f;
        p = p * t + 0.9987261891365051f;
        return p * t - 1.2654529809951782f;
    }

    /** erf(x) / x for |x| ≤ 0.5: Taylor series of 2/√π Σ (-1)^k x^2k / (k! (2k+1)), truncated below 1e-9. */
    private static float erfSmallOverX(float x) {
        float z = x * x;
        float p = -1.3227513e-5f; // -1/(7! · 15); the next term is below 1e-9 relative for |x| ≤ 0.5
        p = p * z + 1.0683761e-4f;
        p = p * z - 7.5757576e-4f;
        p = p * z + 4.6296296e-3f;
        p = p * z - 2.3809524e-2f;
        p = p * z + 1.0000000e-1f;
        p = p * z - 3.3333334e-1f;
        p = p * z + 1f;
        return p * TWO_OVER_SQRT_PI;
    }

    // ------------------------------------------------------------------ scalar functions

    /** e^x; error ≤ 1 ulp (see the class table). */
    public static float exp(float x) {
        float xc = Math.min(Math.max(x, EXP_LO), EXP_HI);
        float t = xc * LOG2E + MAGIC;
        return scale(expPoly(reduce(xc, t - MAGIC)), decode(t));
    }

    /** e^x - 1, accurate relative to the result also near 0; error ≤ 2 ulp. */
    public static float expm1(float x) {
        if (x > 40f) return exp(x); // e^x - 1 rounds to e^x; keeps the 2^n scale below the float limit
        if (Math.abs(x) < 0x1p-25f) return x; // x(1 + x/2) rounds to x; also keeps expm1(-0) = -0
        float xc = Math.max(x, -30f); // e^-30 - 1 rounds to -1
        float n = roundedLog2(xc);
        float s = pow2((int) n);
        return s * expm1Poly(reduce(xc, n)) + (s - 1f);
    }

    /** tanh(x) = -expm1(-2|x|) / (expm1(-2|x|) + 2) with the sign of x; error ≤ 2.5 ulp. */
    public static float tanh(float x) {
        float a = -2f * Math.min(Math.abs(x), TANH_CLAMP);
        float t = a * LOG2E + MAGIC;
        float s = pow2(decode(t));
        float em = s * expm1Poly(reduce(a, t - MAGIC)) + (s - 1f);
        return (0f - em) / (em + 2f) * sign(x); // 0 - em, not -em: tanh(±0) = ±0 after the sign
    }

    /**
     * 1 / (1 + e^-x), computed from e = e^-|x| ≤ 1 as {@code 1/(1+e)} or {@code e/(1+e)}, so that no exp
     * overflows and subnormal results for x &lt; -87 are kept; error ≤ 2.5 ulp.
     */
    public static float sigmoid(float x) {
        float e = expNegAbs(x);
        float w = step(x);
        return (w + (1f - w) * e) / (1f + e);
    }

    /** x · sigmoid(x); error ≤ 3 ulp for x ≥ -87.3, below that ≤ |x|·2^-148 absolute. */
    public static float silu(float x) { return x * sigmoid(x); }

    /** e^-|x| for |x| ≤ 104 (0 beyond), NaN for NaN. */
    private static float expNegAbs(float x) {
        float a = -Math.min(Math.abs(x), -EXP_LO);
        float t = a * LOG2E + MAGIC;
        return scale(expPoly(reduce(a, t - MAGIC)), decode(t));
    }

    /**
     * erfc(x) = 1 - erf(x), with full relative accuracy in the tail ({@code erfc(x) = t e^{-x² + P(t)}}, x² split
     * exactly in two parts); error ≤ 4e-7 relative.
     */
    public static float erfc(float x) {
        float a = Math.abs(x);
        float e = erfcAbs(a);
        float w = step(-x);
        float big = e + w * (2f - 2f * e); // x < 0: 2 - e
        // near 0 the t-polynomial sums terms of alternating sign: 1 - erf(x) is more accurate there
        return a <= 0.5f ? 1f - x * erfSmallOverX(Math.min(a, 0.5f)) : big;
    }

    /** erf(x): an odd Taylor polynomial for |x| ≤ 0.5, else ±(1 - erfc(|x|)); error ≤ 3.5 ulp. */
    public static float erf(float x) {
        float a = Math.abs(x);
        float big = (1f - erfcAbs(a)) * sign(x);
        return a <= 0.5f ? x * erfSmallOverX(Math.min(a, 0.5f)) : big;
    }

    /** erfc(z) for z ≥ 0 (NaN for NaN), clamped where it underflows. */
    private static float erfcAbs(float z) {
        float zc = Math.min(z, 10.1f);
        float t = 1f / (1f + 0.5f * zc);
        float zh = (zc + SPLIT_8) - SPLIT_8;
        // -z² + P(t) = hi + lo with hi = -zh² exact and |lo| < 1.4
        float hi = -(zh * zh);
        float lo = erfcExponent(t) - (zc - zh) * (zc + zh);
        return expHiLo(t, hi, lo);
    }

    /**
     * {@code c · e^(hi + lo)} for hi + lo in [-104, 0] with |lo| small: lo joins the reduced argument rather than
     * hi (whose rounding would cost hi·2^-24 relative), and c multiplies before the final 2^n scale.
     */
    private static float expHiLo(float c, float hi, float lo) {
        float tt = (hi + lo) * LOG2E + MAGIC;
        float r = reduce(hi, tt - MAGIC) + lo;
        return scale(c * expPoly(r), decode(tt));
    }

    /**
     * Exact GELU {@code x Φ(x)} with Φ(x) = erfc(-x/√2)/2, evaluated from x directly (x²/2 split exactly) so that
     * the result keeps its relative accuracy for negative x; error ≤ 5e-7 relative.
     */
    public static float gelu(float x) {
        float xc = Math.min(Math.max(x, -GELU_CLAMP), GELU_CLAMP);
        float xa = Math.abs(xc);
        float t = 1f / (1f + 0.5f * SQRT1_2 * xa);
        float xh = (xa + SPLIT_8) - SPLIT_8;
        float hi = -0.5f * (xh * xh);
        float lo = erfcExponent(t) - 0.5f * ((xa - xh) * (xa + xh));
        float g = expHiLo(0.5f * xc * t, hi, lo); // x erfc(|x|/√2)/2, scaled last: full precision down to 2^-126
        float w = step(x);
        // x < 0: x Φ(x) = g; x > 0: x (1 - Φ(-x)) = x - g. "- w (g - x)" rather than "+ w (x - g)" keeps gelu(-0) = -0
        return (1f - w) * g - w * (g - x);
    }

    /**
     * GELU's tanh approximation {@code 0.5x(1 + tanh(u)) = x·sigmoid(2u)}; error ≤ 4 ulp for x ≥ -1, below that
     * ≤ 1.4e-5 relative (2u is rounded to float, and e^{2u} amplifies that by |2u|, as in ATen's float kernel).
     */
    public static float geluTanh(float x) { return x * sigmoid(x * (GELU_K1 + GELU_K2 * (x * x))); }

    /**
     * Natural logarithm: x = 2^e m with m in [√½, √2), log x = e ln2 + log1p(m - 1) by Cephes' {@code logf}
     * polynomial; error ≤ 1 ulp. log(0) = -inf, log(x &lt; 0) = NaN, log(+inf) = +inf.
     */
    public static float log(float x) {
        if (!(x > 0f && x < Float.POSITIVE_INFINITY)) return logSpecial(x);
        boolean sub = x < 0x1p-126f;
        int bits = Float.floatToRawIntBits(sub ? x * 0x1p23f : x) + (0x3f800000 - 0x3f3504f3);
        float e = (float) ((bits >> 23) - 127 - (sub ? 23 : 0));
        float f = Float.intBitsToFloat((bits & 0x007fffff) + 0x3f3504f3) - 1f;
        return logPoly(f, e);
    }

    private static float logSpecial(float x) {
        if (x == 0f) return Float.NEGATIVE_INFINITY;
        return x == Float.POSITIVE_INFINITY ? x : Float.NaN; // negative or NaN
    }

    /** e ln2 + log(1 + f) for f in [√½ - 1, √2 - 1) (Cephes {@code logf}); ±inf e gives ±inf. */
    private static float logPoly(float f, float e) {
        float z = f * f;
        float p = 7.0376836292e-2f;
        p = p * f - 1.1514610310e-1f;
        p = p * f + 1.1676998740e-1f;
        p = p * f - 1.2420140846e-1f;
        p = p * f + 1.4249322787e-1f;
        p = p * f - 1.6668057665e-1f;
        p = p * f + 2.0000714765e-1f;
        p = p * f - 2.4999993993e-1f;
        p = p * f + 3.3333331174e-1f;
        float y = f * z * p + LN2_LO * Math.min(Math.max(e, -200f), 200f) - 0.5f * z;
        return (f + y) + LN2_HI * e;
    }

    // ------------------------------------------------------------------ array helpers

    /**
     * {@code dst[dstOff + i] = exp(src[srcOff + i])} for {@code i < n}, vectorised, bit-identical to {@link #exp}.
     * The ranges may be the same (in place) or disjoint; partly overlapping ranges are refused.
     */
    public static void exp(float[] src, int srcOff, float[] dst, int dstOff, int n) {
        blocked(FastMath32::expBlock, src, srcOff, dst, dstOff, n);
    }

    /** Array form of {@link #tanh}; ranges as in {@link #exp(float[], int, float[], int, int)}. */
    public static void tanh(float[] src, int srcOff, float[] dst, int dstOff, int n) {
        blocked(FastMath32::tanhBlock, src, srcOff, dst, dstOff, n);
    }

    /** Array form of {@link #sigmoid}; ranges as in {@link #exp(float[], int, float[], int, int)}. */
    public static void sigmoid(float[] src, int srcOff, float[] dst, int dstOff, int n) {
        blocked(FastMath32::sigmoidBlock, src, srcOff, dst, dstOff, n);
    }

    /** Array form of {@link #silu}; ranges as in {@link #exp(float[], int, float[], int, int)}. */
    public static void silu(float[] src, int srcOff, float[] dst, int dstOff, int n) {
        blocked(FastMath32::siluBlock, src, srcOff, dst, dstOff, n);
    }

    /** Array form of {@link #gelu}; ranges as in {@link #exp(float[], int, float[], int, int)}. */
    public static void gelu(float[] src, int srcOff, float[] dst, int dstOff, int n) {
        blocked(FastMath32::geluBlock, src, srcOff, dst, dstOff, n);
    }

    /** Array form of {@link #geluTanh}; ranges as in {@link #exp(float[], int, float[], int, int)}. */
    public static void geluTanh(float[] src, int srcOff, float[] dst, int dstOff, int n) {
        blocked(FastMath32::geluTanhBlock, src, srcOff, dst, dstOff, n);
    }

    /**
     * Array form of {@link #log}: the exponent/mantissa split is a scalar loop (it needs bit moves), the
     * polynomial a vector loop. Ranges as in {@link #exp(float[], int, float[], int, int)}.
     */
    public static void log(float[] src, int srcOff, float[] dst, int dstOff, int n) {
        blocked(FastMath32::logBlock, src, srcOff, dst, dstOff, n);
    }

    /** Per-thread block buffers; all loops index them from 0 so that C2 sees a single alignment. */
    private static final class Scratch {
        final float[] x = new float[BLOCK];
        final float[] t = new float[BLOCK];
        final float[] u = new float[BLOCK];
        final float[] y = new float[BLOCK];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** One block: reads {@code s.x[0..m)}, leaves the result in {@code s.y[0..m)}. */
    @FunctionalInterface
    private interface Block {
        void apply(Scratch s, int m);
    }

    private static void blocked(Block block, float[] src, int srcOff, float[] dst, int dstOff, int n) {
        if (n < 0 || srcOff < 0 || dstOff < 0 || srcOff > src.length - n || dstOff > dst.length - n) {
            throw new IndexOutOfBoundsException("FastMath32: range [" + srcOff + ", +" + n + ") of " + src.length
                    + " to [" + dstOff + ", +" + n + ") of " + dst.length);
        }
        if (src == dst && srcOff != dstOff && Math.abs(srcOff - dstOff) < n) {
            throw new IllegalArgumentException("FastMath32: source and destination ranges partly overlap");
        }
        Scratch s = SCRATCH.get();
        for (int b = 0; b < n; b += BLOCK) {
            int m = Math.min(BLOCK, n - b);
            System.arraycopy(src, srcOff + b, s.x, 0, m);
            block.apply(s, m);
            System.arraycopy(s.y, 0, dst, dstOff + b, m);
        }
    }

    // Each block: a vector loop (reduction, polynomial p into y, n + MAGIC into t), a scalar loop (y = p 2^n,
    // or t = 2^n), and where needed a vector loop that finishes the function. They repeat the scalar
    // functions' arithmetic operation for operation, hence the bit-identical results.

    private static void expBlock(Scratch s, int m) {
        float[] x = s.x, t = s.t, y = s.y;
        for (int i = 0; i < m; i++) {
            float xc = Math.min(Math.max(x[i], EXP_LO), EXP_HI);
            float tt = xc * LOG2E + MAGIC;
            t[i] = tt;
            y[i] = expPoly(reduce(xc, tt - MAGIC));
        }
        applyScale(t, y, m);
    }

    /** {@code y[i] = scale(y[i], decode(t[i]))}: the scalar step. */
    private static void applyScale(float[] t, float[] y, int m) {
        for (int i = 0; i < m; i++) y[i] = scale(y[i], decode(t[i]));
    }

    /** y = e^-|x| (as {@link #expNegAbs}). */
    private static void expNegAbsBlock(float[] x, float[] t, float[] y, int m) {
        for (int i = 0; i < m; i++) {
            float a = -Math.min(Math.abs(x[i]), -EXP_LO);
            float tt = a * LOG2E + MAGIC;
            t[i] = tt;
            y[i] = expPoly(reduce(a, tt - MAGIC));
        }
        applyScale(t, y, m);
    }

    private static void sigmoidBlock(Scratch s, int m) {
        float[] x = s.x, y = s.y;
        expNegAbsBlock(x, s.t, y, m);
        for (int i = 0; i < m; i++) {
            float e = y[i];
            float w = step(x[i]);
            y[i] = (w + (1f - w) * e) / (1f + e);
        }
    }

    private static void siluBlock(Scratch s, int m) {
        float[] x = s.x, y = s.y;
        expNegAbsBlock(x, s.t, y, m);
        for (int i = 0; i < m; i++) {
            float v = x[i];
            float e = y[i];
            float w = step(v);
            y[i] = v * ((w + (1f - w) * e) / (1f + e));
        }
    }

    private static void geluTanhBlock(Scratch s, int m) {
        float[] x = s.x, y = s.y;
        for (int i = 0; i < m; i++) { // y = 2u, then e^-|2u| in place; 2u is recomputed below for the blend
            float v = x[i];
            y[i] = v * (GELU_K1 + GELU_K2 * (v * v));
        }
        expNegAbsBlock(y, s.t, y, m);
        for (int i = 0; i < m; i++) {
            float v = x[i];
            float e = y[i];
            float w = step(v * (GELU_K1 + GELU_K2 * (v * v)));
            y[i] = v * ((w + (1f - w) * e) / (1f + e));
        }
    }

    private static void tanhBlock(Scratch s, int m) {
        float[] x = s.x, t = s.t, y = s.y;
        for (int i = 0; i < m; i++) {
            float a = -2f * Math.min(Math.abs(x[i]), TANH_CLAMP);
            float tt = a * LOG2E + MAGIC;
            t[i] = tt;
            y[i] = expm1Poly(reduce(a, tt - MAGIC));
        }
        for (int i = 0; i < m; i++) t[i] = pow2(decode(t[i])); // n in [-27, 0]: one normal scale
        for (int i = 0; i < m; i++) {
            float sc = t[i];
            float em = sc * y[i] + (sc - 1f);
            y[i] = (0f - em) / (em + 2f) * sign(x[i]);
        }
    }

    private static void geluBlock(Scratch s, int m) {
        float[] x = s.x, t = s.t, u = s.u, y = s.y;
        // three vector loops, not one: C2 does not vectorise the fused loop (too large a body to unroll)
        for (int i = 0; i < m; i++) y[i] = 1f / (1f + 0.5f * SQRT1_2 * Math.min(Math.abs(x[i]), GELU_CLAMP));
        for (int i = 0; i < m; i++) {
            float xa = Math.min(Math.abs(x[i]), GELU_CLAMP);
            float xh = (xa + SPLIT_8) - SPLIT_8;
            u[i] = erfcExponent(y[i]) - 0.5f * ((xa - xh) * (xa + xh));
        }
        for (int i = 0; i < m; i++) {
            float xc = Math.min(Math.max(x[i], -GELU_CLAMP), GELU_CLAMP);
            float xa = Math.abs(xc);
            float xh = (xa + SPLIT_8) - SPLIT_8;
            float hi = -0.5f * (xh * xh);
            float lo = u[i];
            float tt = (hi + lo) * LOG2E + MAGIC;
            t[i] = tt;
            y[i] = 0.5f * xc * y[i] * expPoly(reduce(hi, tt - MAGIC) + lo);
        }
        applyScale(t, y, m);
        for (int i = 0; i < m; i++) {
            float v = x[i];
            float g = y[i];
            float w = step(v);
            y[i] = (1f - w) * g - w * (g - v);
        }
    }

    private static void logBlock(Scratch s, int m) {
        float[] x = s.x, t = s.t, y = s.y;
        for (int i = 0; i < m; i++) { // scalar: exponent in t, mantissa - 1 in y, specials encoded
            float v = x[i];
            boolean sub = v < 0x1p-126f;
            int bits = Float.floatToRawIntBits(sub ? v * 0x1p23f : v) + (0x3f800000 - 0x3f3504f3);
            float e = (float) ((bits >> 23) - 127 - (sub ? 23 : 0));
            float f = Float.intBitsToFloat((bits & 0x007fffff) + 0x3f3504f3) - 1f;
            if (!(v > 0f && v < Float.POSITIVE_INFINITY)) { // rare: 0 → -inf, +inf → +inf, else NaN
                f = v == 0f || v == Float.POSITIVE_INFINITY ? 0f : Float.NaN;
                e = v == 0f ? Float.NEGATIVE_INFINITY : v == Float.POSITIVE_INFINITY ? v : 0f;
            }
            t[i] = e;
            y[i] = f;
        }
        for (int i = 0; i < m; i++) y[i] = logPoly(y[i], t[i]);
    }
}
