package dev.kiln.eager.kernels;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Parallel;
import dev.kiln.eager.Shapes;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.DType;
import java.util.Arrays;

/**
 * Element copies between tensors of any geometry and dtype: the engine behind {@code cat}, {@code stack},
 * {@code reshape}'s copy, {@code triu}/{@code tril} and {@code clone}/{@code contiguous()}.
 *
 * <p>Dtype conversion is a C cast, as PyTorch's {@code copy_} does (see {@link RowCopy}). The walk is
 * {@link StridedLoop#forEachRow}, so dense stretches collapse into long rows copied with {@code System.arraycopy},
 * and large copies run in parallel. Two contiguous tensors of one dtype take a single {@code System.arraycopy}.
 */
public final class Copy {
    private Copy() {}

    /**
     * Copies {@code src} into {@code dst}, converting to {@code dst}'s dtype; {@code src} broadcasts to
     * {@code dst}'s shape (PyTorch's {@code dst.copy_(src)}).
     *
     * <p>Precondition: {@code dst} has no internal overlap (no zero strides over sizes above 1, as views other than
     * {@code expand} never do) and shares no element with {@code src}; otherwise the result is undefined, since rows
     * may be copied in parallel and in any order.
     */
    public static void into(Tensor src, Tensor dst) {
        int[] shape = dst.intShape();
        int[] srcShape = src.intShape();
        checkBroadcastable(srcShape, shape);
        // Nothing to copy; an empty view's offset may even lie past the end of its storage.
        if (dst.numel() == 0) return;
        Object from = src.storage().array();
        Object to = dst.storage().array();
        if (Arrays.equals(srcShape, shape) && src.dtype() == dst.dtype() && src.isContiguous() && dst.isContiguous()) {
            // Both dense in row-major order: element i lies at offset + i in each.
            System.arraycopy(from, src.storageOffset(), to, dst.storageOffset(), (int) dst.numel());
            return;
        }
        RowCopy row = RowCopy.of(src.dtype(), dst.dtype());
        int[][] strides = {dst.strides(), Shapes.broadcastStrides(srcShape, src.strides(), shape)};
        int[] offsets = {dst.storageOffset(), src.storageOffset()};
        StridedLoop.forEachRow(shape, strides, offsets, Parallel.ELEMENTWISE_GRAIN,
                (n, off, steps) -> row.copy(from, off[1], steps[1], to, off[0], steps[0], n));
    }

    /** A fresh contiguous tensor with {@code src}'s shape, dtype and elements. */
    public static Tensor contiguous(Tensor src) { return contiguous(src, src.dtype()); }

    /** A fresh contiguous tensor with {@code src}'s shape and elements converted to {@code dtype}. */
    public static Tensor contiguous(Tensor src, DType dtype) {
        Tensor out = Tensor.empty(dtype, src.intShape());
        into(src, out);
        return out;
    }

    private static void checkBroadcastable(int[] src, int[] dst) {
        boolean ok = src.length <= dst.length;
        for (int i = 0; ok && i < src.length; i++) {
            int d = dst[dst.length - src.length + i];
            ok = src[i] == d || src[i] == 1;
        }
        if (!ok) {
            throw new KilnException("Copy.into: expected a source shape that broadcasts to the destination shape "
                    + Arrays.toString(dst) + ", found " + Arrays.toString(src));
        }
    }
}
