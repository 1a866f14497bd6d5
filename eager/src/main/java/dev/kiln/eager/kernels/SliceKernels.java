package dev.kiln.eager.kernels;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Shapes;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.Attrs;
import dev.kiln.ir.Op;
import java.util.Arrays;

/**
 * Kernels that take part of one dimension as a view: {@code select}, {@code slice}, {@code split}, {@code chunk}.
 * Every output shares the input's storage; its offset is the input's plus {@code start * stride[dim]}.
 */
final class SliceKernels {
    private SliceKernels() {}

    static Tensor select(Tensor[] in, Attrs attrs) {
        Tensor self = in[0];
        requireDims(self, Op.SELECT);
        int dim = Shapes.wrapDim(attrs.getInt("dim"), self.dim(), Op.SELECT, "dim");
        long index = attrs.getInt("index");
        long size = self.size(dim);
        if (index < -size || index >= size) {
            throw new KilnException(Op.SELECT + ": index " + index + " is out of range for dimension " + dim
                    + " of size " + size + " (argument 'index' expected an index in range [" + (-size) + ", "
                    + (size - 1) + "], found " + index + "; tensor of size " + Arrays.toString(self.intShape()) + ")");
        }
        return Views.select(self, dim, index < 0 ? index + size : index);
    }

    /** Python slice semantics with step ≥ 1: negative bounds count from the end, then clamp to {@code [0, size]}. */
    static Tensor slice(Tensor[] in, Attrs attrs) {
        Tensor self = in[0];
        requireDims(self, Op.SLICE);
        int dim = Shapes.wrapDim(attrs.getInt("dim"), self.dim(), Op.SLICE, "dim");
        long step = attrs.getInt("step");
        if (step <= 0) {
            throw new KilnException(Op.SLICE + ": argument 'step' expected a positive step (slice step must be "
                    + "positive), found " + step);
        }
        long size = self.size(dim);
        Object startAttr = attrs.getOrNull("start");
        Object endAttr = attrs.getOrNull("end");
        long start = startAttr == null ? 0 : (Long) startAttr;
        long end = endAttr == null ? Long.MAX_VALUE : (Long) endAttr;
        if (start == Long.MAX_VALUE) start = 0; // ATen reads INT64_MAX as "no start"
        if (start < 0) start += size;
        if (end < 0) end += size;
        start = Math.max(0, Math.min(start, size));
        end = Math.max(start, Math.min(end, size));
        long length = end == start ? 0 : (end - start - 1) / step + 1; // ceil, without overflow for huge steps
        int[] shape = self.intShape();
        int[] strides = self.strides();
        shape[dim] = (int) length;
        long offset = self.storageOffset() + start * strides[dim];
        long stride = strides[dim] * step;
        // With at most one element the stride is never followed; keep the old one if the product overflows int.
        if (stride == (int) stride || length > 1) strides[dim] = Math.toIntExact(stride);
        return Views.alias(self, shape, strides, offset);
    }

    /** Pieces of {@code split_size} along {@code dim}, the last holding the remainder; at least one piece. */
    static Tensor[] split(Tensor[] in, Attrs attrs) {
        Tensor self = in[0];
        requireDims(self, Op.SPLIT);
        long splitSize = attrs.getInt("split_size");
        if (splitSize < 0) {
            throw new KilnException(Op.SPLIT + ": argument 'split_size' expected a non-negative size, found "
                    + splitSize);
        }
        int dim = Shapes.wrapDim(attrs.getInt("dim"), self.dim(), Op.SPLIT, "dim");
        long dimSize = self.size(dim);
        if (splitSize == 0 && dimSize != 0) {
            throw new KilnException(Op.SPLIT + ": argument 'split_size' expected a positive size for dimension "
                    + dim + " of size " + dimSize + " (split_size can only be 0 if dimension size is 0), found 0");
        }
        return pieces(self, dim, splitSize);
    }

    /** The views of {@link #split} for a checked {@code dim} and {@code splitSize}. */
    private static Tensor[] pieces(Tensor self, int dim, long splitSize) {
        long dimSize = self.size(dim);
        // A split size beyond the dim's size gives one piece, as ATen keeps for backward compatibility.
        long pieces = splitSize == 0 ? 1 : Math.max((dimSize - 1) / splitSize + 1, 1);
        long lastSize = dimSize - splitSize * (pieces - 1);
        Tensor[] out = new Tensor[(int) pieces];
        for (int i = 0; i < pieces; i++) {
            out[i] = Views.narrow(self, dim, i * splitSize, i < pieces - 1 ? splitSize : lastSize);
        }
        return out;
    }

    /**
     * Pieces of {@code ceil(n / chunks)} along {@code dim}: as many as that size needs, so possibly fewer than
     * {@code chunks} (PyTorch's {@code chunk}); an empty dim gives exactly {@code chunks} empty pieces.
     */
    static Tensor[] chunk(Tensor[] in, Attrs attrs) {
        Tensor self = in[0];
        requireDims(self, Op.CHUNK);
        long chunks = attrs.getInt("chunks");
        if (chunks <= 0) {
            throw new KilnException(Op.CHUNK + ": argument 'chunks' expected a value greater than 0, found " + chunks);
        }
        int dim = Shapes.wrapDim(attrs.getInt("dim"), self.dim(), Op.CHUNK, "dim");
        long dimSize = self.size(dim);
        if (dimSize == 0) {
            if (chunks > Integer.MAX_VALUE - 8) {
                throw new KilnException(Op.CHUNK + ": argument 'chunks' expected at most " + (Integer.MAX_VALUE - 8)
                        + " pieces of an empty dimension, found " + chunks);
            }
            Tensor[] out = new Tensor[(int) chunks];
            for (int i = 0; i < chunks; i++) out[i] = Views.narrow(self, dim, 0, 0);
            return out;
        }
        long splitSize = (dimSize + chunks - 1) / chunks;
        return pieces(self, dim, splitSize);
    }

    private static void requireDims(Tensor self, Op op) {
        if (self.dim() == 0) {
            throw new KilnException(op + ": argument 'self' expected a tensor with at least 1 dimension, found a "
                    + "0-d tensor (" + op.qualifiedName().substring("aten::".length()) + "() cannot be applied to "
                    + "a 0-dim tensor)");
        }
    }
}
