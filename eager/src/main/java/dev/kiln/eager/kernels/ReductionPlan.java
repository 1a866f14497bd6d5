package dev.kiln.eager.kernels;

import java.util.function.IntConsumer;

/**
 * The geometry of a multi-dimension reduction over a contiguous input, reduced to runs of contiguous rows.
 *
 * <p>Size-1 dims are dropped and adjacent dims that are both kept or both reduced are merged, leaving
 * alternating groups. Then one of two shapes of work applies:
 * <ul>
 *   <li><b>inner reduced</b> (the last group is reduced, e.g. {@code sum(-1)}): each output element is one task;
 *       it sums {@link #inner()}-long contiguous rows, one per combination of the other reduced groups;</li>
 *   <li><b>inner kept</b> (e.g. {@code sum(0)} or a middle dim): each task produces {@link #inner()} consecutive
 *       outputs at once, adding whole contiguous rows elementwise into an accumulator row, so the hot loop is
 *       unit-stride over the kept inner dim instead of striding through memory.</li>
 * </ul>
 * Invariant: outputs are numbered row-major over the kept dims, so task {@code o} writes output {@code o}
 * (inner reduced) or outputs {@code [o·inner, (o+1)·inner)} (inner kept).
 */
final class ReductionPlan {
    private final boolean innerReduced;
    private final int tasks;
    private final int inner;
    private final long count;
    private final int[] keptSizes;
    private final int[] keptStrides;
    private final int[] redSizes;
    private final int[] redStrides;

    /**
     * @param shape   the input's shape (the input must be contiguous)
     * @param reduced per dim, whether it is reduced
     */
    ReductionPlan(int[] shape, boolean[] reduced) {
        int[] gSize = new int[shape.length + 1];
        boolean[] gRed = new boolean[shape.length + 1];
        int g = 0;
        long cnt = 1;
        for (int d = 0; d < shape.length; d++) {
            if (reduced[d]) cnt *= shape[d];
            if (shape[d] == 1) continue;
            if (g > 0 && gRed[g - 1] == reduced[d]) {
                gSize[g - 1] *= shape[d];
            } else {
                gSize[g] = shape[d];
                gRed[g] = reduced[d];
                g++;
            }
        }
        if (g == 0) { // a single element: reduce a row of one
            gSize[0] = 1;
            gRed[0] = true;
            g = 1;
        }
        this.count = cnt;
        int[] gStride = new int[g];
        int s = 1;
        for (int i = g - 1; i >= 0; i--) {
            gStride[i] = s;
            s *= gSize[i];
        }
        innerReduced = gRed[g - 1];
        inner = gSize[g - 1];
        int nk = 0;
        int nr = 0;
        for (int i = 0; i < g - 1; i++) {
            if (gRed[i]) nr++; else nk++;
        }
        keptSizes = new int[nk];
        keptStrides = new int[nk];
        redSizes = new int[nr];
        redStrides = new int[nr];
        nk = 0;
        nr = 0;
        long t = 1;
        for (int i = 0; i < g - 1; i++) {
            if (gRed[i]) {
                redSizes[nr] = gSize[i];
                redStrides[nr++] = gStride[i];
            } else {
                keptSizes[nk] = gSize[i];
                keptStrides[nk++] = gStride[i];
                t *= gSize[i];
            }
        }
        tasks = (int) t;
    }

    boolean innerReduced() { return innerReduced; }

    /** Number of independent tasks (see the class comment). */
    int tasks() { return tasks; }

    /** Length of every contiguous row a task visits. */
    int inner() { return inner; }

    /** Number of input elements reduced into each output (the divisor of a mean). */
    long count() { return count; }

    /** Number of rows each task visits. */
    long rowsPerTask() {
        long r = 1;
        for (int x : redSizes) r *= x;
        return r;
    }

    /** Calls {@code row} with the offset (relative to the input's start) of every row of task {@code o}. */
    void forEachRow(int o, IntConsumer row) {
        int base = 0;
        int rem = o;
        for (int i = keptSizes.length - 1; i >= 0; i--) {
            base += (rem % keptSizes[i]) * keptStrides[i];
            rem /= keptSizes[i];
        }
        int nr = redSizes.length;
        if (nr == 0) {
            row.accept(base);
            return;
        }
        if (nr == 1) {
            for (int r = 0; r < redSizes[0]; r++) row.accept(base + r * redStrides[0]);
            return;
        }
        int[] idx = new int[nr];
        int off = base;
        while (true) {
            row.accept(off);
            int d = nr - 1;
            for (; d >= 0; d--) {
                idx[d]++;
                off += redStrides[d];
                if (idx[d] < redSizes[d]) break;
                off -= redStrides[d] * redSizes[d];
                idx[d] = 0;
            }
            if (d < 0) return;
        }
    }
}
