package dev.kiln.eager.kernels;

import dev.kiln.eager.Kernel;
import dev.kiln.eager.KilnException;
import dev.kiln.eager.Shapes;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.Attrs;
import dev.kiln.ir.DType;
import dev.kiln.ir.Op;
import java.util.Arrays;

/**
 * Eager kernels of the reductions ({@code sum}, {@code mean}, {@code max}, {@code min} and their dim forms,
 * {@code argmax}, {@code argmin}) and of {@code softmax}/{@code log_softmax}.
 *
 * <p>This class owns the PyTorch-facing rules (dim wrapping and duplicates, keepdim, result dtypes, errors on
 * empty or integer input); the loops live in {@link SumReduction}, {@link ExtremumReduction} and
 * {@link Softmax}, which all work on contiguous inputs (a non-contiguous input is copied once).
 */
final class ReductionKernels {
    private ReductionKernels() {}

    static void register(java.util.Map<Op, Kernel> t) {
        KernelRegistry.put(t, Op.SUM, Kernel.single((in, at) -> sumOrMean(Op.SUM, in[0], at)));
        KernelRegistry.put(t, Op.MEAN, Kernel.single((in, at) -> sumOrMean(Op.MEAN, in[0], at)));
        KernelRegistry.put(t, Op.MAX, Kernel.single((in, at) -> extremeOfAll(Op.MAX, in[0], true)));
        KernelRegistry.put(t, Op.MIN, Kernel.single((in, at) -> extremeOfAll(Op.MIN, in[0], false)));
        KernelRegistry.put(t, Op.MAX_DIM, (in, at) -> extremeAlongDim(Op.MAX_DIM, in[0], at, true));
        KernelRegistry.put(t, Op.MIN_DIM, (in, at) -> extremeAlongDim(Op.MIN_DIM, in[0], at, false));
        KernelRegistry.put(t, Op.ARGMAX, Kernel.single((in, at) -> argExtreme(Op.ARGMAX, in[0], at, true)));
        KernelRegistry.put(t, Op.ARGMIN, Kernel.single((in, at) -> argExtreme(Op.ARGMIN, in[0], at, false)));
        KernelRegistry.put(t, Op.SOFTMAX, Kernel.into((in, at, into) -> softmax(Op.SOFTMAX, in[0], at, false, into)));
        KernelRegistry.put(t, Op.LOG_SOFTMAX,
                Kernel.into((in, at, into) -> softmax(Op.LOG_SOFTMAX, in[0], at, true, into)));
    }

    // ------------------------------------------------------------------ sum, mean

    /**
     * sum: integral and bool inputs give int64 unless {@code dtype} says otherwise. mean: the result dtype
     * ({@code dtype}, else the input's) must be floating. With {@code dtype}, the input is converted first.
     */
    private static Tensor sumOrMean(Op op, Tensor x, Attrs attrs) {
        DType requested = (DType) attrs.getOrNull("dtype");
        DType outType;
        if (requested != null) outType = requested;
        else if (op == Op.SUM && !x.dtype().isFloatingPoint()) outType = DType.INT64;
        else outType = x.dtype();
        if (op == Op.MEAN && !outType.isFloatingPoint()) {
            throw new KilnException(op + ": argument 'self' expected a floating-point tensor (or a floating "
                    + "'dtype') to infer the output dtype, found " + (requested == null ? x.dtype()
                    : x.dtype() + " with dtype " + requested));
        }
        boolean[] reduced = reducedDims(op, attrs.getInts("dim"), x.dim());
        int[] outShape = reducedShape(x.intShape(), reduced, attrs.getBool("keepdim"));
        Tensor src = requested != null ? ElementwiseEngine.castIfNeeded(x, requested) : x;
        return SumReduction.reduce(src, reduced, outShape, outType, op == Op.MEAN);
    }

    /** Which dims a dim list reduces: all when empty; each wrapped, and a repeated dim is an error. */
    static boolean[] reducedDims(Op op, long[] dims, int rank) {
        boolean[] reduced = new boolean[rank];
        if (dims.length == 0) {
            Arrays.fill(reduced, true);
            return reduced;
        }
        boolean[] seen = new boolean[Math.max(rank, 1)];
        for (long d : dims) {
            int w = Shapes.wrapDim(d, rank, op, "dim");
            if (seen[w]) {
                throw new KilnException(op + ": argument 'dim' expected distinct dimensions, found dim " + w
                        + " more than once in " + Arrays.toString(dims));
            }
            seen[w] = true;
            if (rank > 0) reduced[w] = true;
        }
        return reduced;
    }

    /** The shape after reducing: reduced dims become 1 with keepdim, else disappear. */
    static int[] reducedShape(int[] shape, boolean[] reduced, boolean keepdim) {
        int[] out = new int[shape.length];
        int k = 0;
        for (int d = 0; d < shape.length; d++) {
            if (!reduced[d]) out[k++] = shape[d];
            else if (keepdim) out[k++] = 1;
        }
        return Arrays.copyOf(out, k);
    }

    // ------------------------------------------------------------------ max, min, argmax, argmin

    private static Tensor extremeOfAll(Op op, Tensor x, boolean max) {
        if (x.numel() == 0) {
            throw new KilnException(op + ": argument 'self' expected a non-empty tensor to reduce over all "
                    + "elements (specify 'dim' for empty tensors), found shape " + Arrays.toString(x.intShape()));
        }
        Tensor src = contiguous(x);
        Tensor out = Tensor.empty(x.dtype());
        ExtremumReduction.scan(src.storage(), src.storageOffset(), 1, (int) x.numel(), 1, max, out.storage(), null);
        return out;
    }

    private static Tensor[] extremeAlongDim(Op op, Tensor x, Attrs attrs, boolean max) {
        int dim = Shapes.wrapDim(attrs.getInt("dim"), x.dim(), op, "dim");
        boolean keepdim = attrs.getBool("keepdim");
        int[] outShape = reducedShape(x.intShape(), oneDim(x.dim(), dim), keepdim);
        Tensor values = Tensor.empty(x.dtype(), outShape);
        Tensor indices = Tensor.empty(DType.INT64, outShape);
        scanDim(op, x, dim, max, values, indices);
        return new Tensor[] {values, indices};
    }

    /** argmax/argmin: along {@code dim}, or over the flattened tensor (a 0-d result) when dim is absent. */
    private static Tensor argExtreme(Op op, Tensor x, Attrs attrs, boolean max) {
        Object dimAttr = attrs.getOrNull("dim");
        if (dimAttr == null) {
            if (x.numel() == 0) {
                throw new KilnException(op + ": argument 'self' expected a non-empty tensor when 'dim' is not "
                        + "given, found shape " + Arrays.toString(x.intShape()));
            }
            Tensor src = contiguous(x);
            Tensor out = Tensor.empty(DType.INT64);
            ExtremumReduction.scan(src.storage(), src.storageOffset(), 1, (int) x.numel(), 1, max, null,
                    out.storage().longs());
            return out;
        }
        int dim = Shapes.wrapDim((Long) dimAttr, x.dim(), op, "dim");
        int[] outShape = reducedShape(x.intShape(), oneDim(x.dim(), dim), attrs.getBool("keepdim"));
        Tensor indices = Tensor.empty(DType.INT64, outShape);
        scanDim(op, x, dim, max, null, indices);
        return indices;
    }

    private static void scanDim(Op op, Tensor x, int dim, boolean max, Tensor values, Tensor indices) {
        int[] shape = x.intShape();
        int n = x.dim() == 0 ? 1 : shape[dim];
        if (n == 0) {
            throw new KilnException(op + ": argument 'dim' expected a dimension of non-zero size to reduce, found "
                    + "dimension " + dim + " of size 0 in shape " + Arrays.toString(shape));
        }
        if (indices.numel() == 0) return;
        int[] g = outerInner(shape, dim);
        Tensor src = contiguous(x);
        ExtremumReduction.scan(src.storage(), src.storageOffset(), g[0], n, g[1], max,
                values == null ? null : values.storage(), indices.storage().longs());
    }

    // ------------------------------------------------------------------ softmax

    /** Softmax or log-softmax; the result in {@code into} when it fits ({@link Dense#resultInto}). */
    private static Tensor softmax(Op op, Tensor x, Attrs attrs, boolean log, float[] into) {
        DType requested = (DType) attrs.getOrNull("dtype");
        DType type = requested != null ? requested : x.dtype();
        if (!type.isFloatingPoint()) {
            throw new KilnException(op + ": argument 'self' expected a floating-point tensor (or a floating "
                    + "'dtype'), found " + type);
        }
        int dim = Shapes.wrapDim(attrs.getInt("dim"), x.dim(), op, "dim");
        Tensor src = x.dtype() == type && x.isContiguous() ? x : ElementwiseEngine.cast(x, type);
        Tensor out = Dense.resultInto(into, type, x.intShape());
        int[] shape = x.intShape();
        int[] g = outerInner(shape, dim);
        Softmax.run(src.storage(), src.storageOffset(), g[0], x.dim() == 0 ? 1 : shape[dim], g[1], log,
                out.storage());
        return out;
    }

    // ------------------------------------------------------------------ helpers

    private static boolean[] oneDim(int rank, int dim) {
        boolean[] r = new boolean[rank];
        if (rank > 0) r[dim] = true;
        return r;
    }

    /** Products of the sizes before and after {@code dim}: the {@code [outer, n, inner]} view of a contiguous tensor. */
    private static int[] outerInner(int[] shape, int dim) {
        int outer = 1;
        int inner = 1;
        for (int d = 0; d < shape.length; d++) {
            if (d < dim) outer *= shape[d];
            else if (d > dim) inner *= shape[d];
        }
        return new int[] {outer, inner};
    }

    private static Tensor contiguous(Tensor x) {
        return x.isContiguous() ? x : ElementwiseEngine.cast(x, x.dtype());
    }
}
