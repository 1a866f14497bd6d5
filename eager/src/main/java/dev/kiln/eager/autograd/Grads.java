package dev.kiln.eager.autograd;

import dev.kiln.eager.Dispatcher;
import dev.kiln.eager.Shapes;
import dev.kiln.eager.Tensor;
import dev.kiln.eager.kernels.Copy;
import dev.kiln.ir.Attrs;
import dev.kiln.ir.DType;
import dev.kiln.ir.Op;
import java.util.Arrays;

/** Building blocks shared by the gradient formulas (all plain tensor ops, run in no-grad mode). */
final class Grads {
    private Grads() {}

    /** Sums {@code g} down to {@code like}'s shape, undoing broadcasting (leading dims and dims of size 1). */
    static Tensor sumTo(Tensor g, Tensor like) { return sumToShape(g, like.intShape()); }

    static Tensor sumToShape(Tensor g, int[] shape) {
        int[] gs = g.intShape();
        if (Arrays.equals(gs, shape)) return g;
        int lead = gs.length - shape.length;
        int[] dims = new int[gs.length];
        int n = 0;
        for (int d = 0; d < gs.length; d++) {
            if (d < lead || (shape[d - lead] == 1 && gs[d] != 1)) dims[n++] = d;
        }
        Tensor s = n == 0 ? g : g.sum(Arrays.copyOf(dims, n), true);
        return s.reshape(Shapes.toLongs(shape));
    }

    /** A zero tensor of {@code shape} in {@code dtype}. */
    static Tensor zeros(DType dtype, int[] shape) { return Tensor.zeros(dtype, Shapes.toLongs(shape)); }

    /** {@code where(mask, g, 0)}: the gradient passed where {@code mask} holds, zero elsewhere. */
    static Tensor keepWhere(Tensor mask, Tensor g) { return Tensor.where(mask, g, Tensor.scalar(0.0)); }

    /** The dims a reduction with attribute {@code dim} (empty = all) reduces, wrapped and sorted. */
    static int[] reducedDims(long[] dims, int rank, Op op) {
        if (dims.length == 0) {
            int[] all = new int[rank];
            for (int d = 0; d < rank; d++) all[d] = d;
            return all;
        }
        int[] out = new int[dims.length];
        for (int i = 0; i < dims.length; i++) out[i] = Shapes.wrapDim(dims[i], rank, op, "dim");
        Arrays.sort(out);
        return out;
    }

    /** Broadcasts the gradient of a reduction over {@code dims} back to the input's shape. */
    static Tensor expandReduced(Tensor g, int[] inputShape, int[] dims, boolean keepdim) {
        Tensor k = g;
        if (!keepdim) for (int d : dims) k = k.unsqueeze(d); // ascending, so each index is already final
        return k.expand(Shapes.toLongs(inputShape));
    }

    /** {@code 1} where {@code x > 0}, {@code -1} where {@code x < 0}, else {@code 0}, in x's dtype. */
    static Tensor sign(Tensor x) { return x.gt(0).to(x.dtype()).sub(x.lt(0).to(x.dtype())); }

    /**
     * The gradient of a non-overlapping view op ({@code select}, {@code slice}): zeros of the input's shape with
     * {@code g} written through the same view of them.
     */
    static Tensor scatterThroughView(Op op, Attrs attrs, Tensor g, Tensor input) {
        Tensor z = zeros(g.dtype(), input.intShape());
        Tensor view = Dispatcher.call1(op, attrs, z);
        Copy.into(g, view);
        return z;
    }
}
