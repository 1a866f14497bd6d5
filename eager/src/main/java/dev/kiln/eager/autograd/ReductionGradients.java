package dev.kiln.eager.autograd;

import static dev.kiln.eager.autograd.Grads.expandReduced;
import static dev.kiln.eager.autograd.Grads.keepWhere;
import static dev.kiln.eager.autograd.Grads.reducedDims;

import dev.kiln.eager.Shapes;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.Op;
import java.util.Map;

/** Backward rules of the reductions and of softmax / log_softmax. */
final class ReductionGradients {
    private ReductionGradients() {}

    static void register(Map<Op, GradientFormula> t) {
        GradientRegistry.put(t, Op.SUM, c -> new Tensor[] {spread(c, false)});
        GradientRegistry.put(t, Op.MEAN, c -> new Tensor[] {spread(c, true)});
        GradientRegistry.put(t, Op.MAX, ReductionGradients::extremumAll);
        GradientRegistry.put(t, Op.MIN, ReductionGradients::extremumAll);
        GradientRegistry.put(t, Op.MAX_DIM, ReductionGradients::extremumDim);
        GradientRegistry.put(t, Op.MIN_DIM, ReductionGradients::extremumDim);
        // softmax: dx = y (g - Σ g y); log_softmax: dx = g - e^y Σ g (sums over dim, kept for broadcasting).
        GradientRegistry.put(t, Op.SOFTMAX, c -> {
            int dim = (int) c.attrs().getInt("dim");
            Tensor y = c.output(0);
            Tensor g = c.grad();
            return new Tensor[] {y.mul(g.sub(g.mul(y).sum(dim, true)))};
        });
        GradientRegistry.put(t, Op.LOG_SOFTMAX, c -> {
            int dim = (int) c.attrs().getInt("dim");
            Tensor g = c.grad();
            return new Tensor[] {g.sub(c.output(0).exp().mul(g.sum(dim, true)))};
        });
    }

    /** sum / mean: every input element receives its output's gradient (divided by the count for mean). */
    private static Tensor spread(GradContext c, boolean mean) {
        int[] shape = c.input(0).intShape();
        int[] dims = reducedDims(c.attrs().getInts("dim"), shape.length, c.op());
        Tensor g = expandReduced(c.grad(), shape, dims, c.attrs().getBool("keepdim"));
        if (!mean) return g;
        long count = 1;
        for (int d : dims) count *= shape[d];
        return g.div((double) count);
    }

    /** max() / min() of all elements: the gradient is shared evenly among the elements equal to the result. */
    private static Tensor[] extremumAll(GradContext c) {
        Tensor hit = c.input(0).eq(c.output(0));
        Tensor share = c.grad().div(hit.sum());
        return new Tensor[] {keepWhere(hit, share)};
    }

    /** max(dim) / min(dim): the gradient goes to the element the index output names. */
    private static Tensor[] extremumDim(GradContext c) {
        Tensor x = c.input(0);
        if (x.dim() == 0) return new Tensor[] {c.grad()};
        int dim = Shapes.wrapDim(c.attrs().getInt("dim"), x.dim(), c.op(), "dim");
        boolean keepdim = c.attrs().getBool("keepdim");
        Tensor idx = keepdim ? c.output(1) : c.output(1).unsqueeze(dim);
        Tensor g = keepdim ? c.grad() : c.grad().unsqueeze(dim);
        long[] posShape = new long[x.dim()];
        java.util.Arrays.fill(posShape, 1);
        posShape[dim] = x.size(dim);
        Tensor positions = Tensor.arange(x.size(dim)).reshape(posShape);
        return new Tensor[] {keepWhere(positions.eq(idx), g)};
    }
}
