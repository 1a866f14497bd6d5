package dev.kiln.eager.kernels;

import java.math.BigDecimal;
import java.math.MathContext;

/** A 60-digit reference for erf and exact GELU, by the Maclaurin series (independent of Cody's approximation). */
final class HighPrecision {
    private HighPrecision() {}

    private static final MathContext MC = new MathContext(60);
    private static final BigDecimal PI =
            new BigDecimal("3.14159265358979323846264338327950288419716939937510582097494459230781640628620899");
    private static final BigDecimal TWO_OVER_SQRT_PI = BigDecimal.valueOf(2).divide(PI.sqrt(MC), MC);
    private static final BigDecimal SQRT2 = BigDecimal.valueOf(2).sqrt(MC);
    private static final BigDecimal EPS = new BigDecimal("1e-58");

    /** erf(x) = 2/√π Σ (-1)^n x^(2n+1) / (n! (2n+1)), summed until the terms vanish; fine for |x| ≤ 8. */
    static BigDecimal erf(BigDecimal x) {
        BigDecimal x2 = x.multiply(x, MC);
        BigDecimal power = x; // (-1)^n x^(2n+1) / n!
        BigDecimal sum = BigDecimal.ZERO;
        for (int n = 0; n < 2000; n++) {
            BigDecimal term = power.divide(BigDecimal.valueOf(2L * n + 1), MC);
            sum = sum.add(term, MC);
            if (n > 2 * x2.doubleValue() + 5 && term.abs().compareTo(EPS) < 0) break;
            power = power.multiply(x2, MC).divide(BigDecimal.valueOf(-(n + 1L)), MC);
        }
        return sum.multiply(TWO_OVER_SQRT_PI, MC);
    }

    static double erf(double x) { return erf(new BigDecimal(x)).doubleValue(); }

    /** x · ½ (1 + erf(x/√2)), all in 60 digits, so no cancellation for negative x down to about -15. */
    static double gelu(double x) {
        BigDecimal bx = new BigDecimal(x);
        BigDecimal phi = BigDecimal.ONE.add(erf(bx.divide(SQRT2, MC)), MC).multiply(new BigDecimal("0.5"), MC);
        return bx.multiply(phi, MC).doubleValue();
    }
}
