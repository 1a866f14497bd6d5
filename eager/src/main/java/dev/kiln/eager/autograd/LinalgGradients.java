package dev.kiln.eager.autograd;

import static dev.kiln.eager.autograd.Grads.sumToShape;

import dev.kiln.eager.Tensor;
import dev.kiln.ir.Op;
import java.util.Map;

/** Backward rules of the matrix products: for {@code Y = A B}, {@code dA = G Bᵀ} and {@code dB = Aᵀ G}. */
final class LinalgGradients {
    private LinalgGradients() {}

    static void register(Map<Op, GradientFormula> t) {
        GradientRegistry.put(t, Op.MM, c -> {
            Tensor[] r = c.none();
            if (c.needs(0)) r[0] = c.grad().mm(c.input(1).t());
            if (c.needs(1)) r[1] = c.input(0).t().mm(c.grad());
            return r;
        });
        GradientRegistry.put(t, Op.BMM, c -> {
            Tensor[] r = c.none();
            if (c.needs(0)) r[0] = c.grad().bmm(c.input(1).transpose(1, 2));
            if (c.needs(1)) r[1] = c.input(0).transpose(1, 2).bmm(c.grad());
            return r;
        });
        GradientRegistry.put(t, Op.MATMUL, LinalgGradients::matmul);
        GradientRegistry.put(t, Op.LINEAR, LinalgGradients::linear);
    }

    /**
     * matmul with its 1-d promotions and batch broadcasting: lift vectors to matrices (a → [1, k], b → [k, 1]),
     * lift G to match, take the matrix-product gradients, then sum away broadcast batch dims and drop the lifts.
     */
    private static Tensor[] matmul(GradContext c) {
        Tensor a = c.input(0);
        Tensor b = c.input(1);
        Tensor a2 = a.dim() == 1 ? a.unsqueeze(0) : a;
        Tensor b2 = b.dim() == 1 ? b.unsqueeze(1) : b;
        Tensor g = c.grad();
        if (a.dim() == 1) g = g.unsqueeze(-1 - (b.dim() == 1 ? 0 : 1)); // restore the lifted row dim
        if (b.dim() == 1) g = g.unsqueeze(-1);                          // restore the lifted column dim
        Tensor[] r = c.none();
        if (c.needs(0)) r[0] = sumToShape(g.matmul(b2.transpose(-1, -2)), a2.intShape()).reshape(a.shape());
        if (c.needs(1)) r[1] = sumToShape(a2.transpose(-1, -2).matmul(g), b2.intShape()).reshape(b.shape());
        return r;
    }

    /** linear: y = x Wᵀ + b over any leading dims of x. */
    private static Tensor[] linear(GradContext c) {
        Tensor x = c.input(0);
        Tensor w = c.input(1);
        Tensor g = c.grad();
        Tensor[] r = c.none();
        if (c.needs(0)) r[0] = g.matmul(w);
        if (c.needs(1) || c.needs(2)) {
            Tensor g2 = g.reshape(-1, w.size(0));
            if (c.needs(1)) r[1] = g2.t().mm(x.reshape(-1, w.size(1)));
            if (c.needs(2)) r[2] = g2.sum(0, false);
        }
        return r;
    }
}
