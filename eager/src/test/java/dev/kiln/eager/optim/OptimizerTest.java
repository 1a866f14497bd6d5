package dev.kiln.eager.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Optimisers against PyTorch 1.13's update equations written out in plain Java, on the loss
 * {@code sum(c * p²) / 2} (gradient {@code c * p}) over several steps.
 */
class OptimizerTest {
    private static final double[] P0 = {1.0, -2.0, 0.5};
    private static final double[] C = {0.5, 1.0, 3.0};

    private static Tensor param() { return Tensor.of(P0).requiresGrad(true); }

    /** Runs {@code steps} steps of {@code opt} on the quadratic loss; returns the parameter's values. */
    private static double[] train(Tensor p, Optimizer opt, int steps) {
        Tensor c = Tensor.of(C);
        for (int s = 0; s < steps; s++) {
            opt.zeroGrad();
            p.mul(p).mul(c).sum().div(2).backward();
            opt.step();
        }
        return p.toDoubleArray();
    }

    private interface Rule {
        /** Updates p[i] in place given its gradient; state arrays are per element. */
        void apply(double[] p, double[] g, int step);
    }

    private static double[] reference(int steps, Rule rule) {
        double[] p = P0.clone();
        for (int s = 1; s <= steps; s++) {
            double[] g = new double[p.length];
            for (int i = 0; i < p.length; i++) g[i] = C[i] * p[i];
            rule.apply(p, g, s);
        }
        return p;
    }

    @Test
    void sgdPlain() {
        double[] expected = reference(5, (p, g, s) -> { for (int i = 0; i < p.length; i++) p[i] -= 0.1 * g[i]; });
        Tensor p = param();
        assertArrayEquals(expected, train(p, new SGD(List.of(p), 0.1), 5), 1e-12);
    }

    @Test
    void sgdMomentumDampeningWeightDecayNesterov() {
        for (boolean nesterov : new boolean[] {false, true}) {
            double mu = 0.9, damp = nesterov ? 0 : 0.3, wd = 0.05, lr = 0.05;
            double[] buf = new double[3];
            double[] expected = reference(6, (p, g, s) -> {
                for (int i = 0; i < p.length; i++) {
                    double d = g[i] + wd * p[i];
                    buf[i] = s == 1 ? d : mu * buf[i] + (1 - damp) * d;
                    d = nesterov ? d + mu * buf[i] : buf[i];
                    p[i] -= lr * d;
                }
            });
            Tensor p = param();
            assertArrayEquals(expected, train(p, new SGD(List.of(p), lr, mu, damp, wd, nesterov), 6), 1e-12,
                    "nesterov=" + nesterov);
        }
    }

    @Test
    void adamAndAmsgradAndAdamW() {
        for (int variant = 0; variant < 3; variant++) {
            boolean amsgrad = variant == 1;
            boolean decoupled = variant == 2;
            double lr = 0.1, b1 = 0.8, b2 = 0.95, eps = 1e-6, wd = 0.1;
            double[] m = new double[3], v = new double[3], vmax = new double[3];
            double[] expected = reference(7, (p, g, s) -> {
                for (int i = 0; i < p.length; i++) {
                    double gi = g[i];
                    if (decoupled) p[i] *= 1 - lr * wd;
                    else gi += wd * p[i];
                    m[i] = b1 * m[i] + (1 - b1) * gi;
                    v[i] = b2 * v[i] + (1 - b2) * gi * gi;
                    vmax[i] = Math.max(vmax[i], v[i]);
                    double denom = Math.sqrt(amsgrad ? vmax[i] : v[i]) / Math.sqrt(1 - Math.pow(b2, s)) + eps;
                    p[i] -= lr / (1 - Math.pow(b1, s)) * m[i] / denom;
                }
            });
            Tensor p = param();
            Optimizer opt = decoupled ? new AdamW(List.of(p), lr, b1, b2, eps, wd, false)
                    : new Adam(List.of(p), lr, b1, b2, eps, wd, amsgrad);
            assertArrayEquals(expected, train(p, opt, 7), 1e-12, "variant " + variant);
        }
    }

    @Test
    void zeroGradZeroesInPlaceOrDrops() {
        Tensor p = param();
        SGD opt = new SGD(List.of(p), 0.1);
        p.sum().backward();
        Tensor g = p.grad();
        opt.zeroGrad();
        assertSame(g, p.grad());
        assertArrayEquals(new double[] {0, 0, 0}, g.toDoubleArray());
        opt.zeroGrad(true);
        assertNull(p.grad());
        opt.step(); // no gradient: skipped
        assertArrayEquals(P0, p.toDoubleArray());
    }

    @Test
    void stepRecordsNothingAndWritesIntoTheParameter() {
        Tensor p = param();
        Tensor alias = p.detach();
        SGD opt = new SGD(List.of(p), 1.0);
        p.sum().backward();
        opt.step();
        assertArrayEquals(new double[] {0, -3, -0.5}, alias.toDoubleArray());
        assertTrue(p.isLeaf());
    }

    @Test
    void badArguments() {
        KilnException notLeaf = assertThrows(KilnException.class,
                () -> new SGD(List.of(param().mul(2)), 0.1));
        assertTrue(notLeaf.getMessage().contains("SGD") && notLeaf.getMessage().contains("non-leaf"));
        KilnException noGrad = assertThrows(KilnException.class, () -> new Adam(List.of(Tensor.of(P0)), 0.1));
        assertTrue(noGrad.getMessage().contains("Adam") && noGrad.getMessage().contains("does not require grad"));
        KilnException nesterov = assertThrows(KilnException.class,
                () -> new SGD(List.of(param()), 0.1, 0, 0, 0, true));
        assertTrue(nesterov.getMessage().contains("Nesterov") && nesterov.getMessage().contains("momentum 0.0"));
        KilnException betas = assertThrows(KilnException.class,
                () -> new AdamW(List.of(param()), 0.1, 1.0, 0.9, 1e-8, 0, false));
        assertTrue(betas.getMessage().contains("AdamW") && betas.getMessage().contains("(1.0, 0.9)"));
    }
}
