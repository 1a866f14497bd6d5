package dev.kiln.eager.kernels;

import dev.kiln.eager.Tensor;

/**
 * A 2-d strided window onto a heap array: element {@code (i, j)} is {@code array[offset + i*rowStride +
 * j*colStride]}. This is how GEMM operands are described: batch slices of N-d tensors, transposed views and
 * broadcast (stride-0) operands are all matrices without a copy.
 *
 * <p>Invariant: {@code array} is a {@code float[]}, {@code double[]}, {@code int[]} or {@code long[]}, and every
 * element the window reaches lies inside it (guaranteed when built from a valid tensor's geometry).
 */
record Matrix(Object array, int offset, int rows, int cols, int rowStride, int colStride) {

    /** The matrix of a 2-d tensor. */
    static Matrix of(Tensor t) {
        if (t.dim() != 2) throw new IllegalArgumentException("Matrix.of expects a 2-d tensor, got " + t.dim() + "-d");
        int[] s = t.intShape();
        int[] st = t.strides();
        return new Matrix(t.storage().array(), t.storageOffset(), s[0], s[1], st[0], st[1]);
    }

    /** Whether rows are contiguous runs ({@code colStride == 1}, or it does not matter). */
    boolean rowMajor() { return cols <= 1 || colStride == 1; }

    /** Whether columns are contiguous runs ({@code rowStride == 1}, or it does not matter). */
    boolean colMajor() { return rows <= 1 || rowStride == 1; }

    /** The transpose, as a window onto the same elements. */
    Matrix transposed() { return new Matrix(array, offset, cols, rows, colStride, rowStride); }

    /** Storage index of element {@code (i, j)}. */
    int index(int i, int j) { return offset + i * rowStride + j * colStride; }
}
