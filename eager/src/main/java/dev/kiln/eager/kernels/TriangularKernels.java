package dev.kiln.eager.kernels;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Parallel;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.Attrs;
import dev.kiln.ir.Op;
import java.util.Arrays;

/**
 * {@code triu} and {@code tril} over the last two dims (earlier dims are a batch): a contiguous copy of the input
 * with the elements outside the triangle set to zero. Element (i, j) is kept by {@code triu} when
 * {@code j - i >= diagonal} and by {@code tril} when {@code j - i <= diagonal}.
 */
final class TriangularKernels {
    private TriangularKernels() {}

    static Tensor triu(Tensor[] in, Attrs attrs) { return triangle(in[0], attrs.getInt("diagonal"), true, Op.TRIU); }

    static Tensor tril(Tensor[] in, Attrs attrs) { return triangle(in[0], attrs.getInt("diagonal"), false, Op.TRIL); }

    private static Tensor triangle(Tensor self, long diagonal, boolean upper, Op op) {
        if (self.dim() < 2) {
            throw new KilnException(op + ": argument 'self' expected a tensor with at least 2 dimensions, found "
                    + self.dim() + " dimensions (shape " + Arrays.toString(self.intShape()) + ")");
        }
        Tensor out = Copy.contiguous(self);
        int rows = (int) self.size(-2);
        int cols = (int) self.size(-1);
        if (out.numel() == 0) return out;
        int matrixRows = (int) (out.numel() / cols); // every row of every matrix of the batch
        Object data = out.storage().array();
        // Beyond these bounds every row is all kept or all zeroed; clamping keeps i + k from overflowing.
        long k = Math.max(-(long) rows - 1, Math.min(diagonal, (long) cols + 1));
        Parallel.forRange(matrixRows, Math.max(1, Parallel.ELEMENTWISE_GRAIN / cols), (s, e) -> {
            for (int r = s; r < e; r++) {
                long i = r % rows;
                int base = r * cols;
                // Columns [0, i + diagonal) lie below the upper triangle; [i + diagonal + 1, cols) above the lower.
                if (upper) zero(data, base, base + clamp(i + k, cols));
                else zero(data, base + clamp(i + k + 1, cols), base + cols);
            }
        });
        return out;
    }

    private static int clamp(long column, int cols) { return (int) Math.max(0, Math.min(column, cols)); }

    /** Sets elements {@code [from, to)} of a primitive array to zero (false). */
    private static void zero(Object data, int from, int to) {
        if (from >= to) return;
        if (data instanceof float[] a) Arrays.fill(a, from, to, 0f);
        else if (data instanceof double[] a) Arrays.fill(a, from, to, 0.0);
        else if (data instanceof int[] a) Arrays.fill(a, from, to, 0);
        else if (data instanceof long[] a) Arrays.fill(a, from, to, 0L);
        else Arrays.fill((boolean[]) data, from, to, false);
    }
}
