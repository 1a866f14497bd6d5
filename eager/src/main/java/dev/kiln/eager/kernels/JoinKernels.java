package dev.kiln.eager.kernels;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Shapes;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.Attrs;
import dev.kiln.ir.DType;
import dev.kiln.ir.Op;
import java.util.Arrays;

/**
 * {@code cat} and {@code stack}: a fresh contiguous output of the promoted dtype of all inputs, each input copied
 * (and converted) into its own narrow or select view of the output by {@link Copy#into}.
 */
final class JoinKernels {
    private JoinKernels() {}

    /**
     * PyTorch 1.13's {@code cat}: all inputs have the same rank and agree on every size but {@code dim}, except
     * legacy 1-d empty tensors (shape {@code [0]}) which are skipped for shapes (yet count for the dtype). If every
     * input is skipped the result is an empty 1-d tensor.
     */
    /** {@code cat}; always a fresh result, in {@code into} when it fits ({@link Dense#resultInto}). */
    static Tensor cat(Tensor[] tensors, Attrs attrs, float[] into) {
        requireNonEmpty(tensors, Op.CAT);
        DType dtype = tensors[0].dtype();
        for (int i = 0; i < tensors.length; i++) {
            if (tensors[i].dim() == 0) {
                throw new KilnException(Op.CAT + ": argument 'tensors' expected tensors with at least 1 dimension, "
                        + "found a 0-d tensor at position " + i + " (zero-dimensional tensors cannot be concatenated)");
            }
            dtype = DType.promote(dtype, tensors[i].dtype());
        }
        int ref = -1;
        for (int i = 0; i < tensors.length && ref < 0; i++) if (!skipped(tensors[i])) ref = i;
        if (ref < 0) return Tensor.empty(dtype, 0);

        int[] refShape = tensors[ref].intShape();
        int rank = refShape.length;
        int dim = Shapes.wrapDim(attrs.getInt("dim"), rank, Op.CAT, "dim");
        long total = 0;
        for (int i = 0; i < tensors.length; i++) {
            Tensor t = tensors[i];
            if (skipped(t)) continue;
            if (t.dim() != rank) {
                throw new KilnException(Op.CAT + ": argument 'tensors' expected all tensors to have " + rank
                        + " dimensions like tensor " + ref + ", found " + t.dim() + " in tensor " + i);
            }
            for (int d = 0; d < rank; d++) {
                if (d != dim && t.size(d) != refShape[d]) {
                    throw new KilnException(Op.CAT + ": argument 'tensors' expected sizes to match except in "
                            + "dimension " + dim + ": expected size " + refShape[d] + " at dimension " + d
                            + " like tensor " + ref + ", found size " + t.size(d) + " in tensor " + i + " (shapes "
                            + Arrays.toString(refShape) + " and " + Arrays.toString(t.intShape()) + ")");
                }
            }
            total += t.size(dim);
        }
        int[] shape = refShape.clone();
        shape[dim] = checkedSize(total, Op.CAT);
        Tensor out = Dense.resultInto(into, dtype, shape);
        long at = 0;
        for (Tensor t : tensors) {
            if (skipped(t)) continue;
            long n = t.size(dim);
            Copy.into(t, Views.narrow(out, dim, at, n));
            at += n;
        }
        return out;
    }

    /** ATen's {@code cat_should_skip_tensor}: a 1-d tensor with no elements, the legacy "empty" tensor. */
    private static boolean skipped(Tensor t) { return t.dim() == 1 && t.numel() == 0; }

    /** Joins equal-shaped tensors along a new dimension {@code dim} in {@code [-rank-1, rank]}. */
    /** {@code stack}; always a fresh result, in {@code into} when it fits ({@link Dense#resultInto}). */
    static Tensor stack(Tensor[] tensors, Attrs attrs, float[] into) {
        requireNonEmpty(tensors, Op.STACK);
        int[] shape0 = tensors[0].intShape();
        int dim = ViewKernels.wrapInsertionDim(attrs.getInt("dim"), shape0.length, Op.STACK, "dim");
        DType dtype = tensors[0].dtype();
        for (int i = 1; i < tensors.length; i++) {
            if (!Arrays.equals(tensors[i].intShape(), shape0)) {
                throw new KilnException(Op.STACK + ": argument 'tensors' expected each tensor to be equal size, "
                        + "found " + Arrays.toString(shape0) + " at entry 0 and "
                        + Arrays.toString(tensors[i].intShape()) + " at entry " + i);
            }
            dtype = DType.promote(dtype, tensors[i].dtype());
        }
        Tensor out = Dense.resultInto(into, dtype, Views.insert(shape0, dim, checkedSize(tensors.length, Op.STACK)));
        for (int i = 0; i < tensors.length; i++) Copy.into(tensors[i], Views.select(out, dim, i));
        return out;
    }

    private static void requireNonEmpty(Tensor[] tensors, Op op) {
        if (tensors.length == 0) {
            throw new KilnException(op + ": argument 'tensors' expected a non-empty list of tensors, found an empty "
                    + "list");
        }
    }

    private static int checkedSize(long size, Op op) {
        if (size > Integer.MAX_VALUE - 8) {
            throw new KilnException(op + ": expected an output dimension of at most " + (Integer.MAX_VALUE - 8)
                    + " elements, found " + size);
        }
        return (int) size;
    }
}
