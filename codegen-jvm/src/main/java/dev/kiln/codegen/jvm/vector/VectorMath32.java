package dev.kiln.codegen.jvm.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float32 transcendentals on whole {@link FloatVector}s (JDK 17 Vector API, incubator module
 * {@code jdk.incubator.vector}), for the loops codegen-jvm generates. Same algorithms and constants as the eager
 * module's {@code FastMath32} (Cody–Waite reduction, Cephes polynomials, the refitted erfc exponent, 2^n in two
 * halves), but with fused multiply-adds and branch-free selections by {@link VectorMask} blends, so results may
 * differ from {@code FastMath32}'s by an ulp or two; both stay within the bounds of docs/fast-math.md (asserted
 * by {@code VectorMath32Test} against float64 references).
 *
 * <p><b>Why it looks like this.</b> The 2^n step is {@code (bits(n + 1.5·2^23) - bits(1.5·2^23) + 127) << 23}
 * reinterpreted as float: integer lane arithmetic that C2 intrinsifies, unlike
 * {@code v.convert(VectorOperators.F2I, 0)}, which JDK 17 does not intrinsify (it boxes; ~10x slower). Every
 * method is small (well under C2's {@code FreqInlineSize} of 325 bytecodes) so that C2 inlines it into the
 * calling loop: a {@code FloatVector} that crosses a call C2 did not inline is boxed, which costs more than the
 * arithmetic. Nothing here stores a vector in a field or an array. Only {@link #SPECIES} is used (a
 * {@code static final}, so C2 sees a constant).
 *
 * <p>Special values follow {@code FastMath32}: NaN in gives NaN out, exp overflows to +inf above 88.72 and
 * underflows to 0 below -103.97 (subnormal results rounded once), tanh/sigmoid saturate exactly, tanh(±0) = ±0,
 * log(0) = -inf, log(x &lt; 0) = NaN, log(+inf) = +inf, gelu(-inf) = NaN.
 */
public final class VectorMath32 {
    private VectorMath32() {}

    /** The species every generated vector loop uses: the widest the CPU supports (256 bits on AVX2). */
    public static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    /** Lanes of {@link #SPECIES}. */
    public static final int LANES = SPECIES.length();

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float MAGIC = 12582912f; // 1.5·2^23: t = x + MAGIC holds round(x) in its low mantissa bits
    private static final int MAGIC_BITS = 0x4B400000;
    // MAGIC + b: t = x + MAGIC_b holds round(x) + b in its low 9 mantissa bits (for round(x) + b in [0, 512)), so
    // bits(t) << 23 is 2^round(x) scaled by 2^(b - 127) with no integer subtraction (MAGIC's own bits shift out).
    // n is the same as with MAGIC: the rounding x·log2e + MAGIC_b never meets an exact tie (x·log2e, a product of
    // two floats, is an odd multiple of 1/2 only if log2e's odd 24-bit mantissa divides an odd number < 2^10).
    private static final float MAGIC_127 = MAGIC + 127f; // low bits n + 127: 2^n
    private static final float MAGIC_202 = MAGIC + 202f; // low bits n + 202: 2^(n + 75)
    private static final float EXP_LO = -104f;
    private static final float EXP_HI = 89f;
    private static final float TANH_CLAMP = 9.1f;
    private static final float GELU_CLAMP = 14.3f;
    private static final float SQRT1_2 = 0.70710678118654752f;
    private static final float GELU_K1 = 1.59576912160573071f;
    private static final float GELU_K2 = 0.0713548162726008f;
    private static final float SPLIT_8 = 49152f;

    // ------------------------------------------------------------------ building blocks

    /** (e^r - 1 - r) / r² for |r| ≤ ln2/2 (Cephes {@code expf}). */
    private static FloatVector expTail(FloatVector r) {
        FloatVector p = r.fma(1.9875691500e-4f, 1.3981999507e-3f);
        p = p.fma(r, c(8.3334519073e-3f));
        p = p.fma(r, c(4.1665795894e-2f));
        p = p.fma(r, c(1.6666665459e-1f));
        return p.fma(r, c(5.0000001201e-1f));
    }

    /** e^r for |r| ≤ ln2/2. */
    private static FloatVector expPoly(FloatVector r) { return expTail(r).fma(r.mul(r), r).add(1f); }

    /** e^r - 1 for |r| ≤ ln2/2, accurate relative to the small result. */
    private static FloatVector expm1Poly(FloatVector r) { return expTail(r).fma(r.mul(r), r); }

    /** {@code x - n ln2} (Cody–Waite: the first product is exact). */
    private static FloatVector reduce(FloatVector x, FloatVector n) {
        return n.fma(c(-LN2_LO), n.fma(c(-LN2_HI), x));
    }

    /** {@code v} in every lane (C2 hoists the broadcast of a constant out of loops). */
    private static FloatVector c(float v) { return FloatVector.broadcast(SPECIES, v); }

    /** {@code x·log2e + 1.5·2^23}: n = round(x/ln2) is {@code t - MAGIC}, and sits in t's low mantissa bits. */
    private static FloatVector encodeLog2(FloatVector x) { return x.fma(LOG2E, MAGIC); }

    /** 2^(k - 127) for biased exponents k in [1, 254]. */
    private static FloatVector pow2(IntVector biased) {
        return biased.lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
    }

    /** 2^(k - 127) for the low 9 bits k of t's bits (t from {@link #MAGIC_127} or {@link #MAGIC_202}). */
    private static FloatVector pow2Low(FloatVector t) {
        return t.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
    }

    /** {@code p · 2^n} for n (encoded in t) in [-151, 129], rounded once: two normal half scales. */
    private static FloatVector scale(FloatVector p, FloatVector t) {
        IntVector k = t.reinterpretAsInts().sub(MAGIC_BITS); // n
        IntVector h = k.lanewise(VectorOperators.ASHR, 1);
        return p.mul(pow2(h.add(127))).mul(pow2(k.sub(h).add(127)));
    }

    /**
     * {@code p · 2^n} for n in [-150, 0], encoded in t = n + {@link #MAGIC_202}: {@code p · 2^(n+75) · 2^-75}, both
     * scales normal, rounded once — the same value as {@link #scale} with 3 operations instead of 9.
     */
    private static FloatVector scaleNonPositive(FloatVector p, FloatVector t) {
        return p.mul(pow2Low(t)).mul(0x1p-75f);
    }

    /**
     * {@code c · e^(hi + lo)} with |lo| small and hi + lo in [-104, 0]: lo joins the reduced argument (see
     * FastMath32.expHiLo).
     */
    private static FloatVector expHiLo(FloatVector c, FloatVector hi, FloatVector lo) {
        FloatVector t = hi.add(lo).fma(LOG2E, MAGIC_202);
        FloatVector r = reduce(hi, t.sub(MAGIC_202)).add(lo);
        return scaleNonPositive(c.mul(expPoly(r)), t);
    }

    /**
     * log(erfc(z)/t) + z² as a polynomial in t = 1/(1 + z/2) (FastMath32's refit, degree 9):
     * {@code a0 + t·M(t)} with M (degree 8) by Estrin's scheme (pairs {@code a_k + a_(k+1) t} combined with t², t⁴,
     * t⁸). Why: this polynomial sits on the longest dependency chain of a fused loop (gelu: division, polynomial,
     * exp), which bounds the loop's speed; Horner's 9 dependent fused multiply-adds take ~36 cycles of latency, this
     * form ~20. The last step stays Horner's ({@code a0 + t·M}) because M's roundings are then scaled by t ≤ 1: a
     * full Estrin tree rounded at magnitude ~1 three times and broke gelu's 5e-7 bound (5.1e-7 at x = -9.97).
     */
    private static FloatVector erfcExponent(FloatVector t) {
        FloatVector t2 = t.mul(t);
        FloatVector t4 = t2.mul(t2);
        FloatVector m12 = t.fma(0.3859063982963562f, 0.9987261891365051f);
        FloatVector m34 = t.fma(-0.007401471957564354f, 0.0378141924738884f);
        FloatVector m56 = t.fma(-0.7131352424621582f, -0.06522908806800842f);
        FloatVector m78 = t.fma(-0.6855573058128357f, 1.1685775518417358f);
        FloatVector m14 = t2.fma(m34, m12);
        FloatVector m58 = t2.fma(m78, m56);
        FloatVector m = t4.mul(t4).fma(c(0.14575183391571045f), t4.fma(m58, m14));
        return m.fma(t, c(-1.2654529809951782f));
    }

    /**
     * {@code x} limited to [lo, hi], NaN kept: compare + blend, cheaper than {@code max(lo).min(hi)}, whose Java
     * semantics (NaN, -0 &lt; +0) cost C2 several extra instructions per lane-wise MIN/MAX on x86.
     */
    private static FloatVector clamp(FloatVector x, float lo, float hi) {
        return x.blend(lo, x.compare(VectorOperators.LT, lo)).blend(hi, x.compare(VectorOperators.GT, hi));
    }

    /** {@code v} with the sign bit of {@code s} (v must be ≥ +0 or NaN). */
    private static FloatVector withSignOf(FloatVector v, FloatVector s) {
        return v.reinterpretAsInts().or(s.reinterpretAsInts().and(0x80000000)).reinterpretAsFloats();
    }

    // ------------------------------------------------------------------ functions

    /** e^x; ≤ 1 ulp. */
    public static FloatVector exp(FloatVector x) {
        FloatVector xc = clamp(x, EXP_LO, EXP_HI);
        FloatVector t = encodeLog2(xc);
        return scale(expPoly(reduce(xc, t.sub(MAGIC))), t);
    }

    /**
     * e^x for x ≤ 0 or NaN, bit for bit {@link #exp} there (whose two half scales and upper clamp are then
     * redundant: for n in [-150, 0] both scales round the same exact product once). Generated loops use it where the
     * argument's form proves x ≤ 0 (e.g. {@code exp(-x·x)}); for x &gt; 0 it is wrong (no overflow handling).
     */
    public static FloatVector expNonPositive(FloatVector x) {
        FloatVector xc = x.blend(EXP_LO, x.compare(VectorOperators.LT, EXP_LO));
        FloatVector t = xc.fma(LOG2E, MAGIC_202);
        return scaleNonPositive(expPoly(reduce(xc, t.sub(MAGIC_202))), t);
    }

    /** e^-|x| (0 below -104), NaN for NaN: exp's algorithm, with the cheaper scale its n ≤ 0 allows. */
    private static FloatVector expNegAbs(FloatVector x) {
        FloatVector a = x.reinterpretAsInts().or(0x80000000).reinterpretAsFloats(); // -|x| in one operation
        FloatVector ac = a.blend(EXP_LO, a.compare(VectorOperators.LT, EXP_LO));
        FloatVector t = ac.fma(LOG2E, MAGIC_202);
        return scaleNonPositive(expPoly(reduce(ac, t.sub(MAGIC_202))), t);
    }

    /** e^x - 1, accurate near 0; ≤ 2 ulp. */
    public static FloatVector expm1(FloatVector x) {
        FloatVector xc = clamp(x, -30f, 40f); // e^-30 - 1 rounds to -1; above 40 e^x - 1 rounds to e^x
        FloatVector t = xc.fma(LOG2E, MAGIC_127); // n in [-44, 58]
        FloatVector s = pow2Low(t);
        FloatVector v = s.fma(expm1Poly(reduce(xc, t.sub(MAGIC_127))), s.sub(1f));
        v = v.blend(exp(x), x.compare(VectorOperators.GT, 40f));
        return v.blend(x, x.abs().compare(VectorOperators.LT, 0x1p-25f)); // x(1 + x/2) rounds to x; expm1(-0) = -0
    }

    /** tanh x = -expm1(-2|x|) / (expm1(-2|x|) + 2) with the sign of x; ≤ 2.5 ulp. */
    public static FloatVector tanh(FloatVector x) {
        FloatVector xa = x.abs();
        FloatVector a = xa.blend(TANH_CLAMP, xa.compare(VectorOperators.GT, TANH_CLAMP)).mul(-2f);
        FloatVector t = a.fma(LOG2E, MAGIC_127);
        FloatVector s = pow2Low(t); // n in [-27, 0]: one normal scale
        FloatVector em = s.fma(expm1Poly(reduce(a, t.sub(MAGIC_127))), s.sub(1f));
        return withSignOf(c(0f).sub(em).div(em.add(2f)), x); // 0 - em: +0 for x = ±0, then the sign
    }

    /** 1 / (1 + e^-x) from e = e^-|x|: 1/(1+e) for x &gt; 0, else e/(1+e); ≤ 2.5 ulp. */
    public static FloatVector sigmoid(FloatVector x) {
        FloatVector e = expNegAbs(x);
        return e.blend(1f, x.compare(VectorOperators.GT, 0f)).div(e.add(1f));
    }

    /** x · sigmoid(x); ≤ 3 ulp where sigmoid is normal. */
    public static FloatVector silu(FloatVector x) { return x.mul(sigmoid(x)); }

    /** Tanh-approximated GELU {@code x·sigmoid(2u)}, 2u = x(K1 + K2x²) rounded to float as in ATen. */
    public static FloatVector geluTanh(FloatVector x) {
        return x.mul(sigmoid(x.mul(x).fma(GELU_K2, GELU_K1).mul(x)));
    }

    /** Exact GELU x·Φ(x), Φ from erfc with x²/2 split exactly (FastMath32.gelu's algorithm); ≤ 5e-7 relative. */
    public static FloatVector gelu(FloatVector x) {
        // |x| limited to 14.3 (beyond, the result is x or ∓0 in float); with g ≤ 0 below, the sign of x is needed
        // only in the final selection: 3 operations instead of a clamp of x (4) and its abs
        FloatVector xu = x.abs();
        FloatVector xa = xu.blend(GELU_CLAMP, xu.compare(VectorOperators.GT, GELU_CLAMP));
        FloatVector t = c(1f).div(xa.fma(0.5f * SQRT1_2, 1f));
        FloatVector xh = xa.add(SPLIT_8).sub(SPLIT_8);
        FloatVector hi = xh.mul(xh).mul(-0.5f);
        FloatVector lo = xa.sub(xh).mul(xa.add(xh)).fma(c(-0.5f), erfcExponent(t));
        FloatVector g = expHiLo(xa.mul(-0.5f).mul(t), hi, lo); // -|x| erfc(|x|/√2)/2 = -(|x| - gelu(|x|))
        // x ≤ 0: g (+ 0·x, which makes gelu(-inf) NaN as ATen); x > 0: x + g
        return x.fma(c(0f), g).blend(x.add(g), x.compare(VectorOperators.GT, 0f));
    }

    /** Natural logarithm (Cephes {@code logf} on the mantissa in [√½, √2)); ≤ 1 ulp. */
    public static FloatVector log(FloatVector x) {
        VectorMask<Float> sub = x.compare(VectorOperators.LT, 0x1p-126f);
        FloatVector xs = x.blend(x.mul(0x1p23f), sub);
        IntVector bits = xs.reinterpretAsInts().add(0x3f800000 - 0x3f3504f3);
        // the exponent field as a float without a conversion: MAGIC + k is exact for 0 ≤ k < 2^22
        FloatVector e = bits.lanewise(VectorOperators.LSHR, 23).add(MAGIC_BITS).reinterpretAsFloats()
                .sub(MAGIC + 127f).sub(FloatVector.zero(SPECIES).blend(23f, sub));
        FloatVector f = bits.and(0x007fffff).add(0x3f3504f3).reinterpretAsFloats().sub(1f);
        FloatVector y = logPoly(f, e);
        y = y.blend(Float.NaN, x.compare(VectorOperators.GE, 0f).not()); // x < 0 or NaN
        y = y.blend(Float.NEGATIVE_INFINITY, x.compare(VectorOperators.EQ, 0f));
        return y.blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY));
    }

    /** e ln2 + log(1 + f) for f in [√½ - 1, √2 - 1) (Cephes {@code logf}). */
    private static FloatVector logPoly(FloatVector f, FloatVector e) {
        FloatVector z = f.mul(f);
        FloatVector p = f.fma(7.0376836292e-2f, -1.1514610310e-1f);
        p = p.fma(f, c(1.1676998740e-1f));
        p = p.fma(f, c(-1.2420140846e-1f));
        p = p.fma(f, c(1.4249322787e-1f));
        p = p.fma(f, c(-1.6668057665e-1f));
        p = p.fma(f, c(2.0000714765e-1f));
        p = p.fma(f, c(-2.4999993993e-1f));
        p = p.fma(f, c(3.3333331174e-1f));
        FloatVector y = f.mul(z).fma(p, e.fma(LN2_LO, 0f)).sub(z.mul(0.5f));
        return e.fma(c(LN2_HI), f.add(y));
    }
}
