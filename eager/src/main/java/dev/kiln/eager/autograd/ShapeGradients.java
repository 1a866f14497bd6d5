package dev.kiln.eager.autograd;

import static dev.kiln.eager.autograd.Grads.scatterThroughView;
import static dev.kiln.eager.autograd.Grads.sumTo;
import static dev.kiln.eager.autograd.Grads.zeros;

import dev.kiln.eager.Shapes;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Backward rules of the shape and view ops. A view's gradient lands on the tensor it was taken from, so gradients
 * flow through chains of views to their base as in PyTorch.
 */
final class ShapeGradients {
    private ShapeGradients() {}

    static void register(Map<Op, GradientFormula> t) {
        // Ops that only regroup the same elements in the same order: reshape back.
        for (Op op : new Op[] {Op.VIEW, Op.RESHAPE, Op.FLATTEN, Op.SQUEEZE, Op.UNSQUEEZE}) {
            GradientRegistry.put(t, op, c -> new Tensor[] {c.grad().reshape(c.input(0).shape())});
        }
        GradientRegistry.put(t, Op.TRANSPOSE, c -> new Tensor[] {
            c.grad().transpose((int) c.attrs().getInt("dim0"), (int) c.attrs().getInt("dim1"))});
        GradientRegistry.put(t, Op.PERMUTE, c -> {
            long[] dims = c.attrs().getInts("dims");
            int rank = c.input(0).dim();
            int[] inverse = new int[rank];
            for (int i = 0; i < rank; i++) inverse[Shapes.wrapDim(dims[i], rank, Op.PERMUTE, "dims")] = i;
            return new Tensor[] {c.grad().permute(inverse)};
        });
        GradientRegistry.put(t, Op.SELECT, c -> new Tensor[] {scatterThroughView(c.op(), c.attrs(), c.grad(),
                c.input(0))});
        GradientRegistry.put(t, Op.SLICE, c -> new Tensor[] {scatterThroughView(c.op(), c.attrs(), c.grad(),
                c.input(0))});
        GradientRegistry.put(t, Op.EXPAND, c -> new Tensor[] {sumTo(c.grad(), c.input(0))});
        // split / chunk: the pieces tile the input along dim, so their gradients (zeros where none) concatenate.
        GradientRegistry.put(t, Op.SPLIT, ShapeGradients::pieces);
        GradientRegistry.put(t, Op.CHUNK, ShapeGradients::pieces);
        GradientRegistry.put(t, Op.CAT, ShapeGradients::cat);
        GradientRegistry.put(t, Op.STACK, c -> {
            int dim = Shapes.wrapDim(c.attrs().getInt("dim"), c.grad().dim(), Op.STACK, "dim");
            Tensor[] r = c.none();
            for (int i = 0; i < r.length; i++) if (c.needs(i)) r[i] = c.grad().select(dim, i);
            return r;
        });
        GradientRegistry.put(t, Op.TRIU, c -> new Tensor[] {c.grad().triu(c.attrs().getInt("diagonal"))});
        GradientRegistry.put(t, Op.TRIL, c -> new Tensor[] {c.grad().tril(c.attrs().getInt("diagonal"))});
    }

    private static Tensor[] pieces(GradContext c) {
        int dim = Shapes.wrapDim(c.attrs().getInt("dim"), c.input(0).dim(), c.op(), "dim");
        List<Tensor> parts = new ArrayList<>();
        for (int k = 0; k < c.outputCount(); k++) {
            Tensor g = c.grad(k);
            parts.add(g != null ? g : zeros(c.output(k).dtype(), c.output(k).intShape()));
        }
        return new Tensor[] {Tensor.cat(parts, dim)};
    }

    /** cat: each input's gradient is its stretch of the output's along dim. */
    private static Tensor[] cat(GradContext c) {
        Tensor g = c.grad();
        int dim = Shapes.wrapDim(c.attrs().getInt("dim"), g.dim(), Op.CAT, "dim");
        Tensor[] r = c.none();
        long offset = 0;
        for (int i = 0; i < r.length; i++) {
            Tensor in = c.input(i);
            // PyTorch's cat skips 1-d empty inputs whatever their rank; they take no stretch of the output.
            if (in.numel() == 0) {
                if (c.needs(i)) r[i] = zeros(g.dtype(), in.intShape());
                continue;
            }
            long size = in.size(dim);
            if (c.needs(i)) r[i] = g.narrow(dim, offset, size);
            offset += size;
        }
        return r;
    }
}
