package dev.kiln.eager.kernels;

import dev.kiln.eager.KilnException;
import dev.kiln.ir.Op;
import java.util.Arrays;

/**
 * PyTorch's rules for re-shaping a tensor without moving its elements: {@code infer_size} (resolving a {@code -1})
 * and {@code computeStride} (whether, and with which strides, a strided tensor can be viewed with a new shape).
 *
 * <p>Pure functions on geometry; they touch no storage. Shared by {@code view}, {@code reshape} and
 * {@code flatten}, and usable by shape inference elsewhere.
 */
public final class ViewGeometry {
    private ViewGeometry() {}

    /**
     * Resolves a requested shape for a tensor of {@code numel} elements, as ATen's {@code infer_size}: at most one
     * size may be {@code -1} and is inferred; the product must equal {@code numel}.
     *
     * @param op  the op to name in errors
     * @param arg the argument holding {@code shape}
     */
    public static int[] inferSize(long[] shape, long numel, Op op, String arg) {
        long known = 1;
        int inferDim = -1;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == -1) {
                if (inferDim >= 0) {
                    throw new KilnException(op + ": argument '" + arg + "' expected at most one dimension of size -1 "
                            + "(only one dimension can be inferred), found " + Arrays.toString(shape));
                }
                inferDim = d;
            } else if (shape[d] >= 0 && shape[d] <= Integer.MAX_VALUE) {
                known = multiplyClamped(known, shape[d]);
            } else {
                throw new KilnException(op + ": argument '" + arg + "' expected sizes in [-1, " + Integer.MAX_VALUE
                        + "], found invalid shape dimension " + shape[d] + " in " + Arrays.toString(shape));
            }
        }
        boolean fits = numel == known || (inferDim >= 0 && known > 0 && numel % known == 0);
        if (!fits) {
            String found = Arrays.toString(shape);
            throw new KilnException(op + ": argument '" + arg + "' expected a shape with " + numel + " elements, found "
                    + found + " (shape '" + found + "' is invalid for input of size " + numel + ")");
        }
        int[] out = new int[shape.length];
        for (int d = 0; d < shape.length; d++) out[d] = (int) shape[d];
        if (inferDim >= 0) {
            if (known == 0) {
                throw new KilnException(op + ": argument '" + arg + "' cannot reshape tensor of 0 elements into shape "
                        + Arrays.toString(shape) + " because the unspecified dimension size -1 can be any value and "
                        + "is ambiguous");
            }
            out[inferDim] = (int) (numel / known);
        }
        return out;
    }

    /** {@code a * b} for non-negative factors, saturating instead of overflowing (the product is only compared). */
    private static long multiplyClamped(long a, long b) {
        if (a == 0 || b == 0) return 0;
        return a > Long.MAX_VALUE / b ? Long.MAX_VALUE : a * b;
    }

    /**
     * The strides that view a tensor of {@code oldShape}/{@code oldStrides} as {@code newShape} (same element
     * count) without copying, or {@code null} when no such strides exist. This is ATen's {@code computeStride}:
     * the old dims are cut into chunks that are each contiguous in memory; every new dim must fall inside one chunk.
     * Size-1 dims never break a chunk. An empty tensor can always be viewed (its strides are those of a contiguous
     * tensor, or the old ones when the shape is unchanged); a 0-d tensor views with strides of 1.
     */
    public static int[] computeStride(int[] oldShape, int[] oldStrides, int[] newShape) {
        int[] newStrides = new int[newShape.length];
        if (oldShape.length == 0) {
            Arrays.fill(newStrides, 1);
            return newStrides;
        }
        long numel = 1;
        for (int s : oldShape) numel *= s;
        if (numel == 0 && Arrays.equals(oldShape, newShape)) return oldStrides.clone();
        if (numel == 0) {
            // Strides as if freshly allocated (sizes of 0 count as 1, as in resize).
            long stride = 1;
            for (int d = newShape.length - 1; d >= 0; d--) {
                newStrides[d] = (int) stride;
                stride *= Math.max(newShape[d], 1);
            }
            return newStrides;
        }
        int viewD = newShape.length - 1;
        long chunkBaseStride = oldStrides[oldStrides.length - 1];
        long tensorNumel = 1;
        long viewNumel = 1;
        for (int tensorD = oldShape.length - 1; tensorD >= 0; tensorD--) {
            tensorNumel *= oldShape[tensorD];
            // A chunk ends where the next-outer dim does not continue it contiguously.
            boolean chunkEnds = tensorD == 0 || (oldShape[tensorD - 1] != 1
                    && oldStrides[tensorD - 1] != tensorNumel * chunkBaseStride);
            if (!chunkEnds) continue;
            while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] == 1)) {
                newStrides[viewD] = (int) (viewNumel * chunkBaseStride);
                viewNumel *= newShape[viewD];
                viewD--;
            }
            if (viewNumel != tensorNumel) return null;
            if (tensorD > 0) {
                chunkBaseStride = oldStrides[tensorD - 1];
                tensorNumel = 1;
                viewNumel = 1;
            }
        }
        return viewD == -1 ? newStrides : null;
    }
}
