package dev.kiln.eager.kernels;

import dev.kiln.eager.Parallel;

/**
 * Walks an iteration shape row by row, tracking the storage position of several operands at once.
 *
 * <p>The shape is first collapsed: adjacent dimensions that every operand steps through contiguously merge into
 * one, so a contiguous tensor is one row however many dimensions it has. The innermost dimension becomes the row;
 * a {@link Row} body then runs a tight loop over it with per-operand strides (0 for a broadcast operand). Rows are
 * split across {@link Parallel}'s threads when there are enough elements.
 *
 * <p>Invariant: {@code strides[k]} has one entry per dimension of {@code shape} for operand {@code k}; operand 0 is
 * by convention the output, and bodies for different rows write disjoint output elements as long as the output
 * has no zero strides.
 */
public final class StridedLoop {
    private StridedLoop() {}

    /** One row: {@code n} elements; operand k starts at {@code offsets[k]} and steps by {@code steps[k]}. */
    @FunctionalInterface
    public interface Row {
        void run(int n, int[] offsets, int[] steps);
    }

    /**
     * Runs {@code row} over every row of {@code shape}.
     *
     * @param shape   iteration shape (the output's)
     * @param strides per operand, its strides over {@code shape} (broadcast dims have stride 0)
     * @param offsets per operand, its storage offset
     * @param grain   minimum elements per thread; use {@link Parallel#ELEMENTWISE_GRAIN} for cheap bodies
     */
    public static void forEachRow(int[] shape, int[][] strides, int[] offsets, int grain, Row row) {
        int k = strides.length;
        // Collapse dims: drop size-1 dims, merge i into i+1 when every operand's stride allows.
        int[] cShape = new int[shape.length];
        int[][] cStrides = new int[k][shape.length];
        int rank = 0;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 0) return; // empty: nothing to do
            if (shape[d] == 1) continue;
            if (rank > 0 && mergeable(cShape[rank - 1], cStrides, rank - 1, strides, d, shape[d])) {
                cShape[rank - 1] *= shape[d];
                for (int o = 0; o < k; o++) cStrides[o][rank - 1] = strides[o][d];
                continue;
            }
            cShape[rank] = shape[d];
            for (int o = 0; o < k; o++) cStrides[o][rank] = strides[o][d];
            rank++;
        }
        if (rank == 0) { // a single element
            row.run(1, offsets.clone(), new int[k]);
            return;
        }
        final int inner = cShape[rank - 1];
        final int outerRank = rank - 1;
        long rowsL = 1;
        for (int d = 0; d < outerRank; d++) rowsL *= cShape[d];
        final int rows = (int) rowsL;
        final int[] steps = new int[k];
        for (int o = 0; o < k; o++) steps[o] = cStrides[o][rank - 1];
        int rowGrain = Math.max(1, grain / Math.max(1, inner));
        if (rows == 1) {
            // One long row: split it into column chunks instead.
            Parallel.forRange(inner, grain, (s, e) -> {
                int[] off = new int[k];
                for (int o = 0; o < k; o++) off[o] = offsets[o] + s * steps[o];
                row.run(e - s, off, steps);
            });
            return;
        }
        Parallel.forRange(rows, rowGrain, (s, e) -> {
            int[] idx = new int[outerRank];
            int[] off = new int[k];
            // Position of row s.
            int r = s;
            for (int d = outerRank - 1; d >= 0; d--) {
                idx[d] = r % cShape[d];
                r /= cShape[d];
            }
            for (int o = 0; o < k; o++) {
                int p = offsets[o];
                for (int d = 0; d < outerRank; d++) p += idx[d] * cStrides[o][d];
                off[o] = p;
            }
            int[] rowOff = new int[k];
            for (int i = s; i < e; i++) {
                System.arraycopy(off, 0, rowOff, 0, k);
                row.run(inner, rowOff, steps);
                // Advance the odometer by one row.
                for (int d = outerRank - 1; d >= 0; d--) {
                    idx[d]++;
                    for (int o = 0; o < k; o++) off[o] += cStrides[o][d];
                    if (idx[d] < cShape[d]) break;
                    for (int o = 0; o < k; o++) off[o] -= cStrides[o][d] * cShape[d];
                    idx[d] = 0;
                }
            }
        });
    }

    private static boolean mergeable(int prevSize, int[][] cStrides, int prev, int[][] strides, int d, int size) {
        for (int o = 0; o < strides.length; o++) {
            if ((long) cStrides[o][prev] != (long) strides[o][d] * size) return false;
        }
        return true;
    }
}
