package dev.kiln.eager.kernels;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Shapes;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.Attrs;
import dev.kiln.ir.Op;
import java.util.Arrays;

/**
 * Kernels that re-shape or re-stride a tensor: {@code view}, {@code reshape}, {@code flatten}, {@code transpose},
 * {@code permute}, {@code expand}, {@code squeeze}, {@code unsqueeze}.
 *
 * <p>All except {@code reshape}/{@code flatten} return views sharing the input's storage and offset. Those two
 * return a view when {@link ViewGeometry#computeStride} allows one and otherwise a contiguous copy, exactly when
 * PyTorch does.
 */
final class ViewKernels {
    private ViewKernels() {}

    static Tensor view(Tensor[] in, Attrs attrs) {
        Tensor self = in[0];
        int[] shape = ViewGeometry.inferSize(attrs.getInts("size"), self.numel(), Op.VIEW, "size");
        int[] strides = ViewGeometry.computeStride(self.intShape(), self.strides(), shape);
        if (strides == null) {
            throw new KilnException(Op.VIEW + ": argument 'size' " + Arrays.toString(shape) + " expected to be "
                    + "compatible with the input's size " + Arrays.toString(self.intShape()) + " and stride "
                    + Arrays.toString(self.strides()) + ", found it is not: view size is not compatible with input "
                    + "tensor's size and stride (at least one dimension spans across two contiguous subspaces). "
                    + "Use .reshape(...) instead.");
        }
        return Views.alias(self, shape, strides, self.storageOffset());
    }

    /** {@code reshape}; when it must copy, the copy goes into {@code into} if it fits ({@link Dense#resultInto}). */
    static Tensor reshape(Tensor[] in, Attrs attrs, float[] into) {
        Tensor self = in[0];
        return reshapeTo(self, ViewGeometry.inferSize(attrs.getInts("shape"), self.numel(), Op.RESHAPE, "shape"),
                into);
    }

    /** A view of {@code self} as {@code shape} if the strides allow, else a contiguous copy shaped {@code shape}. */
    static Tensor reshapeTo(Tensor self, int[] shape) { return reshapeTo(self, shape, null); }

    /** {@link #reshapeTo(Tensor, int[])}, copying into {@code into} when a copy is needed and it fits. */
    static Tensor reshapeTo(Tensor self, int[] shape, float[] into) {
        int[] strides = ViewGeometry.computeStride(self.intShape(), self.strides(), shape);
        if (strides != null) return Views.alias(self, shape, strides, self.storageOffset());
        Tensor copy = Dense.resultInto(into, self.dtype(), self.intShape());
        Copy.into(self, copy);
        return Views.alias(copy, shape, Shapes.contiguousStrides(shape), 0);
    }

    /** {@code flatten}; when it must copy, the copy goes into {@code into} if it fits. */
    static Tensor flatten(Tensor[] in, Attrs attrs, float[] into) {
        Tensor self = in[0];
        int rank = self.dim();
        int start = Shapes.wrapDim(attrs.getInt("start_dim"), rank, Op.FLATTEN, "start_dim");
        int end = Shapes.wrapDim(attrs.getInt("end_dim"), rank, Op.FLATTEN, "end_dim");
        if (start > end) {
            throw new KilnException(Op.FLATTEN + ": argument 'start_dim' expected a dimension not after end_dim ("
                    + end + "), found " + start + " (start_dim cannot come after end_dim)");
        }
        if (rank == 0) return reshapeTo(self, new int[] {1}, into);
        int[] old = self.intShape();
        if (start == end) return Views.alias(self, old, self.strides(), self.storageOffset());
        int[] shape = new int[rank - (end - start)];
        System.arraycopy(old, 0, shape, 0, start);
        long merged = 1;
        for (int d = start; d <= end; d++) merged *= old[d];
        shape[start] = (int) merged;
        System.arraycopy(old, end + 1, shape, start + 1, rank - end - 1);
        return reshapeTo(self, shape, into);
    }

    static Tensor transpose(Tensor[] in, Attrs attrs) {
        Tensor self = in[0];
        int d0 = Shapes.wrapDim(attrs.getInt("dim0"), self.dim(), Op.TRANSPOSE, "dim0");
        int d1 = Shapes.wrapDim(attrs.getInt("dim1"), self.dim(), Op.TRANSPOSE, "dim1");
        int[] shape = self.intShape();
        int[] strides = self.strides();
        if (shape.length > 0) { // a 0-d tensor transposes (0, 0) or (-1, -1) to itself
            swap(shape, d0, d1);
            swap(strides, d0, d1);
        }
        return Views.alias(self, shape, strides, self.storageOffset());
    }

    private static void swap(int[] a, int i, int j) {
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }

    static Tensor permute(Tensor[] in, Attrs attrs) {
        Tensor self = in[0];
        long[] dims = attrs.getInts("dims");
        int rank = self.dim();
        if (dims.length != rank) {
            throw new KilnException(Op.PERMUTE + ": argument 'dims' expected a permutation of " + rank
                    + " dimensions (the input's dim()), found " + dims.length + " dims " + Arrays.toString(dims));
        }
        int[] oldShape = self.intShape();
        int[] oldStrides = self.strides();
        int[] shape = new int[rank];
        int[] strides = new int[rank];
        boolean[] seen = new boolean[rank];
        for (int i = 0; i < rank; i++) {
            int d = Shapes.wrapDim(dims[i], rank, Op.PERMUTE, "dims");
            if (seen[d]) {
                throw new KilnException(Op.PERMUTE + ": argument 'dims' expected a permutation of " + rank
                        + " dimensions, found repeated dim " + d + " in " + Arrays.toString(dims));
            }
            seen[d] = true;
            shape[i] = oldShape[d];
            strides[i] = oldStrides[d];
        }
        return Views.alias(self, shape, strides, self.storageOffset());
    }

    /**
     * ATen's {@code inferExpandGeometry}: sizes align from the right; -1 keeps a size (not allowed in new leading
     * dims); only size-1 dims change size, getting stride 0; new leading dims of size 1 get the stride a contiguous
     * outer dim would have.
     */
    static Tensor expand(Tensor[] in, Attrs attrs) {
        Tensor self = in[0];
        long[] size = attrs.getInts("size");
        int rank = self.dim();
        if (size.length < rank) {
            throw new KilnException(Op.EXPAND + ": argument 'size' expected at least " + rank + " sizes (the number "
                    + "of dimensions of the tensor), found " + size.length + " in " + Arrays.toString(size));
        }
        int[] oldShape = self.intShape();
        int[] oldStrides = self.strides();
        int n = size.length;
        int[] shape = new int[n];
        int[] strides = new int[n];
        for (int i = n - 1; i >= 0; i--) {
            int dim = rank - (n - i);
            long cur = dim >= 0 ? oldShape[dim] : 1;
            long stride = dim >= 0 ? oldStrides[dim] : i == n - 1 ? 1 : (long) shape[i + 1] * strides[i + 1];
            long target = size[i];
            if (target == -1) {
                if (dim < 0) {
                    throw new KilnException(Op.EXPAND + ": argument 'size' expected -1 only in existing dimensions, "
                            + "found -1 at leading, non-existing dimension " + i + " of " + Arrays.toString(size));
                }
                target = cur;
            }
            if (target < 0 || target > Integer.MAX_VALUE) {
                throw new KilnException(Op.EXPAND + ": argument 'size' expected sizes >= -1, found " + target
                        + " at dimension " + i + " of " + Arrays.toString(size));
            }
            if (target != cur) {
                if (cur != 1) {
                    throw new KilnException(Op.EXPAND + ": argument 'size' expected the existing size " + cur
                            + " at non-singleton dimension " + i + ", found " + target + " (the expanded size of the "
                            + "tensor must match the existing size). Target sizes: " + Arrays.toString(size)
                            + ". Tensor sizes: " + Arrays.toString(oldShape));
                }
                stride = 0;
            }
            shape[i] = (int) target;
            strides[i] = rank == 0 ? 0 : (int) stride; // ATen gives every dim of an expanded 0-d tensor stride 0
        }
        return Views.alias(self, shape, strides, self.storageOffset());
    }

    static Tensor squeeze(Tensor[] in, Attrs attrs) {
        Tensor self = in[0];
        int[] shape = self.intShape();
        int[] strides = self.strides();
        Object dimAttr = attrs.getOrNull("dim");
        if (dimAttr != null) {
            int d = Shapes.wrapDim((Long) dimAttr, shape.length, Op.SQUEEZE, "dim");
            if (shape.length == 0 || shape[d] != 1) return Views.alias(self, shape, strides, self.storageOffset());
            return Views.alias(self, Views.remove(shape, d), Views.remove(strides, d), self.storageOffset());
        }
        int kept = 0;
        for (int s : shape) if (s != 1) kept++;
        int[] newShape = new int[kept];
        int[] newStrides = new int[kept];
        for (int d = 0, k = 0; d < shape.length; d++) {
            if (shape[d] == 1) continue;
            newShape[k] = shape[d];
            newStrides[k++] = strides[d];
        }
        return Views.alias(self, newShape, newStrides, self.storageOffset());
    }

    static Tensor unsqueeze(Tensor[] in, Attrs attrs) {
        Tensor self = in[0];
        int rank = self.dim();
        int d = wrapInsertionDim(attrs.getInt("dim"), rank, Op.UNSQUEEZE, "dim");
        int[] shape = self.intShape();
        int[] strides = self.strides();
        // ATen's inferUnsqueezeGeometry: the new dim steps over the whole of the dim it is inserted before.
        int stride = d >= rank ? 1 : shape[d] * strides[d];
        return Views.alias(self, Views.insert(shape, d, 1), Views.insert(strides, d, stride), self.storageOffset());
    }

    /**
     * Wraps the position of a new dimension inserted into a {@code rank}-d tensor ({@code unsqueeze},
     * {@code stack}): valid values are {@code [-rank-1, rank]}.
     */
    static int wrapInsertionDim(long dim, int rank, Op op, String arg) {
        if (dim < -rank - 1 || dim > rank) {
            throw new KilnException(op + ": argument '" + arg + "' expected a dimension in range [" + (-rank - 1)
                    + ", " + rank + "] to insert into a " + rank + "-d tensor, found " + dim);
        }
        return (int) (dim < 0 ? dim + rank + 1 : dim);
    }
}
