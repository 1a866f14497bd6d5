package dev.kiln.eager.kernels;

import dev.kiln.eager.Tensor;

/**
 * Constructors of views that share a tensor's storage. They do not validate their arguments: callers have checked
 * dims and ranges (the kernels, with PyTorch's messages). {@link Tensor#fromStorage} still refuses geometry that
 * would reach outside the storage, so a caller's mistake cannot read foreign memory.
 */
final class Views {
    private Views() {}

    /** A tensor over {@code t}'s storage with the given geometry. */
    static Tensor alias(Tensor t, int[] shape, int[] strides, long offset) {
        return Tensor.fromStorage(t.storage(), shape, strides, Math.toIntExact(offset));
    }

    /** {@code length} elements of {@code dim} from {@code start} (both already in range). */
    static Tensor narrow(Tensor t, int dim, long start, long length) {
        int[] shape = t.intShape();
        int[] strides = t.strides();
        shape[dim] = (int) length;
        return alias(t, shape, strides, t.storageOffset() + start * strides[dim]);
    }

    /** The slice at {@code index} (already in range) of {@code dim}, which is removed. */
    static Tensor select(Tensor t, int dim, long index) {
        int[] shape = t.intShape();
        int[] strides = t.strides();
        return alias(t, remove(shape, dim), remove(strides, dim), t.storageOffset() + index * strides[dim]);
    }

    /** {@code a} without element {@code i}. */
    static int[] remove(int[] a, int i) {
        int[] out = new int[a.length - 1];
        System.arraycopy(a, 0, out, 0, i);
        System.arraycopy(a, i + 1, out, i, a.length - i - 1);
        return out;
    }

    /** {@code a} with {@code v} inserted at position {@code i}. */
    static int[] insert(int[] a, int i, int v) {
        int[] out = new int[a.length + 1];
        System.arraycopy(a, 0, out, 0, i);
        out[i] = v;
        System.arraycopy(a, i, out, i + 1, a.length - i);
        return out;
    }
}
