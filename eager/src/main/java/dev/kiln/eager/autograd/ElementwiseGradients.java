package dev.kiln.eager.autograd;

import static dev.kiln.eager.autograd.Grads.keepWhere;
import static dev.kiln.eager.autograd.Grads.sign;
import static dev.kiln.eager.autograd.Grads.sumTo;
import static dev.kiln.eager.autograd.Grads.zeros;

import dev.kiln.eager.Tensor;
import dev.kiln.ir.Op;
import java.util.Map;

/**
 * Backward rules of the elementwise ops, each the derivative PyTorch's {@code derivatives.yaml} uses (same
 * choices at kinks: relu'(0) = 0, clamp passes the gradient at its bounds, ties of maximum split it in half).
 * {@code x}, {@code y}: input and output; {@code g}: output gradient.
 */
final class ElementwiseGradients {
    private ElementwiseGradients() {}

    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
    private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

    static void register(Map<Op, GradientFormula> t) {
        // d(a + αb) = da + α db; broadcasting is undone by summing.
        GradientRegistry.put(t, Op.ADD, c -> binary(c, c.grad(), scaled(c.grad(), c.attrs().getScalarAsDouble("alpha"))));
        GradientRegistry.put(t, Op.SUB, c -> binary(c, c.grad(), scaled(c.grad(), -c.attrs().getScalarAsDouble("alpha"))));
        GradientRegistry.put(t, Op.MUL, c -> binary(c,
                c.needs(0) ? c.grad().mul(c.input(1)) : null, c.needs(1) ? c.grad().mul(c.input(0)) : null));
        GradientRegistry.put(t, Op.DIV, ElementwiseGradients::div);
        GradientRegistry.put(t, Op.POW, ElementwiseGradients::pow);
        GradientRegistry.put(t, Op.MAXIMUM, c -> extremum(c, true));
        GradientRegistry.put(t, Op.MINIMUM, c -> extremum(c, false));
        GradientRegistry.put(t, Op.WHERE, c -> {
            Tensor[] r = c.none();
            Tensor cond = c.input(0);
            if (c.needs(1)) r[1] = sumTo(keepWhere(cond, c.grad()), c.input(1));
            if (c.needs(2)) r[2] = sumTo(keepWhere(cond.logicalNot(), c.grad()), c.input(2));
            return r;
        });
        GradientRegistry.put(t, Op.MASKED_FILL, c -> {
            Tensor[] r = c.none();
            Tensor mask = c.input(1);
            if (c.needs(0)) r[0] = sumTo(c.grad().maskedFill(mask, 0), c.input(0));
            if (c.needs(2)) r[2] = keepWhere(mask, c.grad()).sum(); // the filled value is 0-d
            return r;
        });

        unary(t, Op.ABS, c -> c.grad().mul(sign(c.input(0))));
        unary(t, Op.NEG, c -> c.grad().neg());
        unary(t, Op.EXP, c -> c.grad().mul(c.output(0)));                              // (e^x)' = y
        unary(t, Op.LOG, c -> c.grad().div(c.input(0)));
        unary(t, Op.SQRT, c -> c.grad().div(c.output(0).mul(2)));                      // 1 / (2 sqrt x)
        unary(t, Op.RSQRT, c -> c.grad().mul(c.output(0).pow(3).mul(-0.5)));           // -x^(-3/2) / 2
        unary(t, Op.SIN, c -> c.grad().mul(c.input(0).cos()));
        unary(t, Op.COS, c -> c.grad().mul(c.input(0).sin().neg()));
        unary(t, Op.RECIPROCAL, c -> c.grad().mul(c.output(0).mul(c.output(0)).neg())); // -1/x² = -y²
        unary(t, Op.SIGMOID, c -> c.grad().mul(c.output(0).mul(c.output(0).rsub(1))));  // y (1 - y)
        unary(t, Op.TANH, c -> c.grad().mul(c.output(0).mul(c.output(0)).rsub(1)));     // 1 - y²
        unary(t, Op.RELU, c -> keepWhere(c.output(0).gt(0), c.grad()));                // threshold_backward
        unary(t, Op.GELU, ElementwiseGradients::gelu);
        unary(t, Op.SILU, c -> {                                                       // s (1 + x (1 - s))
            Tensor s = c.input(0).sigmoid();
            return c.grad().mul(s.mul(c.input(0).mul(s.rsub(1)).add(1)));
        });
        unary(t, Op.ELU, c -> {                                                        // x ≤ 0: α e^x = y + α
            double alpha = c.attrs().getScalarAsDouble("alpha");
            return Tensor.where(c.input(0).gt(0), c.grad(), c.grad().mul(c.output(0).add(alpha)));
        });
        unary(t, Op.LEAKY_RELU, c -> Tensor.where(c.input(0).gt(0), c.grad(),
                c.grad().mul(c.attrs().getScalarAsDouble("negative_slope"))));
        unary(t, Op.SOFTPLUS, c -> {                                                   // σ(βx), linear above threshold
            Tensor bx = c.input(0).mul(c.attrs().getScalarAsDouble("beta"));
            return Tensor.where(bx.gt(c.attrs().getScalarAsDouble("threshold")), c.grad(),
                    c.grad().mul(bx.sigmoid()));
        });
        unary(t, Op.HARDTANH, c -> {
            Tensor x = c.input(0);
            Tensor outside = x.le(c.attrs().getScalarAsDouble("min_val"))
                    .logicalOr(x.ge(c.attrs().getScalarAsDouble("max_val")));
            return c.grad().maskedFill(outside, 0);
        });
        unary(t, Op.CLAMP, c -> {                                                      // bounds are inclusive
            Tensor x = c.input(0);
            Object min = c.attrs().getOrNull("min");
            Object max = c.attrs().getOrNull("max");
            Tensor inside = min == null ? null : x.ge(((Number) min).doubleValue());
            if (max != null) {
                Tensor le = x.le(((Number) max).doubleValue());
                inside = inside == null ? le : inside.logicalAnd(le);
            }
            return keepWhere(inside, c.grad());
        });
        unary(t, Op.TO_DTYPE, GradContext::grad);                                      // the engine casts back
        unary(t, Op.CLONE, GradContext::grad);
    }

    private static void unary(Map<Op, GradientFormula> t, Op op, java.util.function.Function<GradContext, Tensor> f) {
        GradientRegistry.put(t, op, c -> new Tensor[] {f.apply(c)});
    }

    /** Gradients of a broadcasting binary op, summed back to each operand's shape. */
    private static Tensor[] binary(GradContext c, Tensor ga, Tensor gb) {
        Tensor[] r = c.none();
        if (c.needs(0)) r[0] = sumTo(ga, c.input(0));
        if (c.needs(1)) r[1] = sumTo(gb, c.input(1));
        return r;
    }

    private static Tensor scaled(Tensor g, double factor) { return factor == 1 ? g : g.mul(factor); }

    private static Tensor[] div(GradContext c) {
        Tensor a = c.input(0);
        Tensor b = c.input(1);
        Tensor g = c.grad();
        if (c.attrs().getOrNull("rounding_mode") != null) {
            // Rounded division is piecewise constant: zero gradient, as PyTorch.
            return binary(c, zeros(g.dtype(), g.intShape()), zeros(g.dtype(), g.intShape()));
        }
        return binary(c, c.needs(0) ? g.div(b) : null,
                c.needs(1) ? g.neg().mul(a).div(b.mul(b)) : null);             // d(a/b)/db = -a / b²
    }

    private static Tensor[] pow(GradContext c) {
        Tensor a = c.input(0);
        Tensor b = c.input(1);
        Tensor g = c.grad();
        Tensor ga = null;
        Tensor gb = null;
        if (c.needs(0)) {
            // b a^(b-1), defined as 0 where b = 0 (so 0^0 does not produce 0 * inf).
            ga = Tensor.where(b.eq(0), Tensor.scalar(0.0), g.mul(b.mul(a.pow(b.sub(1)))));
        }
        if (c.needs(1)) {
            // y log a, defined as 0 where a = 0 and b ≥ 0 (the limit PyTorch takes).
            Tensor undefined = a.eq(0).logicalAnd(b.ge(0));
            gb = g.mul(Tensor.where(undefined, Tensor.scalar(0.0), c.output(0).mul(a.log())));
        }
        return binary(c, ga, gb);
    }

    /** maximum/minimum: the gradient goes to the selected operand, halved on ties. */
    private static Tensor[] extremum(GradContext c, boolean max) {
        Tensor a = c.input(0);
        Tensor b = c.input(1);
        Tensor shared = Tensor.where(a.eq(b), c.grad().div(2), c.grad());
        Tensor aLoses = max ? a.lt(b) : a.gt(b);
        Tensor bLoses = max ? a.gt(b) : a.lt(b);
        return binary(c, c.needs(0) ? shared.maskedFill(aLoses, 0) : null,
                c.needs(1) ? shared.maskedFill(bLoses, 0) : null);
    }

    private static Tensor gelu(GradContext c) {
        Tensor x = c.input(0);
        Tensor g = c.grad();
        if (c.attrs().getString("approximate").equals("tanh")) {
            // y = x (1 + t) / 2 with t = tanh(k (x + 0.044715 x³)), k = sqrt(2/π):
            // y' = (1 + t) / 2 + x (1 - t²) k (1 + 3·0.044715 x²) / 2
            Tensor x2 = x.mul(x);
            Tensor th = x.add(x2.mul(x).mul(0.044715)).mul(SQRT_2_OVER_PI).tanh();
            Tensor inner = x2.mul(3 * 0.044715).add(1).mul(SQRT_2_OVER_PI);
            Tensor d = th.add(1).mul(0.5).add(x.mul(th.mul(th).rsub(1)).mul(inner).mul(0.5));
            return g.mul(d);
        }
        // y = x Φ(x), y' = Φ(x) + x φ(x). The catalogue has no erf, so Φ(x) is recovered as y / x (exact up to
        // the rounding of y), with Φ(0) = 1/2.
        Tensor cdf = Tensor.where(x.eq(0), Tensor.scalar(0.5), c.output(0).div(x));
        Tensor pdf = x.mul(x).mul(-0.5).exp().mul(INV_SQRT_2PI);
        return g.mul(cdf.add(x.mul(pdf)));
    }
}
