package dev.kiln.eager.kernels;

/**
 * Scalar definitions of the activation functions, in double, shared by the generic and the float32 kernels so
 * that both paths compute the same formula. Formulas follow ATen's CPU kernels; where ATen's form cancels badly
 * ({@code 1 + tanh(u)}, {@code 1 + erf(x)} for negative x) an algebraically equal but stable form is used.
 */
final class ScalarMath {
    private ScalarMath() {}

    private static final double SQRT1_2 = 0.70710678118654752440;
    /** sqrt(2 / pi), the constant of tanh-approximated GELU. */
    private static final double SQRT_2_OVER_PI = 0.79788456080286535588;

    static double sigmoid(double x) { return 1.0 / (1.0 + Math.exp(-x)); }

    /** Exact GELU {@code x * Φ(x)}, with Φ(x) = erfc(-x/√2)/2 (no cancellation for negative x). */
    static double gelu(double x) { return x * 0.5 * Erf.erfc(-x * SQRT1_2); }

    /**
     * GELU's tanh approximation {@code 0.5x(1 + tanh(u))}, u = √(2/π)(x + 0.044715x³), written as
     * {@code x / (1 + exp(-2u))} (since 1 + tanh(u) = 2σ(2u)), which needs one exp and does not cancel.
     */
    static double geluTanh(double x) {
        double u = SQRT_2_OVER_PI * (x + 0.044715 * x * x * x);
        return x / (1.0 + Math.exp(-2.0 * u));
    }

    static double silu(double x) { return x / (1.0 + Math.exp(-x)); }

    /** ELU: {@code x > 0 ? x : alpha (e^x - 1)}; expm1 keeps small negative inputs accurate. */
    static double elu(double x, double alpha) { return x > 0 ? x : alpha * Math.expm1(x); }

    /** Softplus: {@code log(1 + e^{βx}) / β}, reverting to x where {@code βx > threshold}, as ATen. */
    static double softplus(double x, double beta, double threshold) {
        double bx = x * beta;
        return bx > threshold ? x : Math.log1p(Math.exp(bx)) / beta;
    }

    /** ReLU that keeps -0.0 and NaN, as ATen's {@code clamp_min(x, 0)}. */
    static double relu(double x) { return x < 0 ? 0.0 : x; }

    /** {@code min(max(x, lo), hi)} that propagates NaN and gives hi when lo &gt; hi, as ATen's clamp. */
    static double clamp(double x, double lo, double hi) {
        double v = x < lo ? lo : x;
        return v > hi ? hi : v;
    }

    /**
     * Python-style floor division of floats, as ATen's {@code div_floor}: computed from fmod so that the result
     * is the exact floor of the real quotient, not of the rounded one.
     */
    static double floorDivide(double a, double b) {
        if (b == 0) return a / b;
        double mod = a % b; // Java's % on doubles is C's fmod
        double div = (a - mod) / b;
        if (mod != 0 && (b < 0) != (mod < 0)) div -= 1.0;
        double floordiv;
        if (div != 0) {
            floordiv = Math.floor(div);
            if (div - floordiv > 0.5) floordiv += 1.0;
        } else {
            floordiv = Math.copySign(0.0, a / b);
        }
        return floordiv;
    }

    /** Integer power by squaring; negative exponents give 1, ±1 or 0 as ATen's {@code powi}. */
    static long powi(long base, long exp) {
        if (exp < 0) {
            if (base == 1) return 1;
            if (base == -1) return (exp & 1) == 0 ? 1 : -1;
            return 0;
        }
        long result = 1;
        long b = base;
        long e = exp;
        while (e != 0) {
            if ((e & 1) != 0) result *= b;
            b *= b;
            e >>= 1;
        }
        return result;
    }
}
