package dev.kiln.eager.kernels;

import dev.kiln.eager.Parallel;
import dev.kiln.eager.Storage;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.DType;
import java.util.Arrays;

/**
 * {@code sum} and {@code mean} over any set of dims, on the {@link ReductionPlan} geometry.
 *
 * <p>The input is first brought to the accumulation source dtype (the floating result dtype, or int64 for
 * integral sums) and made contiguous; that copy is skipped when it already is. Floating sums accumulate in
 * double (float32 results round once at the end; several independent partial sums per row keep the add chain
 * short), integral sums in long, exactly. Work is parallel over output elements, over output columns when the
 * reduced-away dim is outside the kept inner one, and over chunks of the single row of a full reduction.
 */
final class SumReduction {
    private SumReduction() {}

    /** Inner-kept accumulator rows are at most this long, so that they stay in L1. */
    private static final int COLUMN_BLOCK = 2048;

    /**
     * @param reduced per input dim, whether it is summed away
     * @param outType result dtype: floating, or (for sums only) integral
     * @param mean    divide by the number of reduced elements
     */
    static Tensor reduce(Tensor x, boolean[] reduced, int[] outShape, DType outType, boolean mean) {
        Tensor out = Tensor.empty(outType, outShape);
        if (out.numel() == 0) return out;
        if (x.numel() == 0) { // sums of nothing: 0, means of nothing: 0/0
            if (mean) fillNaN(out);
            return out;
        }
        ReductionPlan plan = new ReductionPlan(x.intShape(), reduced);
        if (outType.isFloatingPoint()) {
            Tensor src = contiguousAs(x, outType);
            Source s = outType == DType.FLOAT32 ? new FloatSource(src.storage().floats(), src.storageOffset())
                    : new DoubleSource(src.storage().doubles(), src.storageOffset());
            double divisor = mean ? plan.count() : 1.0;
            if (plan.innerReduced()) sumInner(plan, s, out.storage(), divisor);
            else sumColumns(plan, s, out.storage(), divisor);
        } else {
            Tensor src = contiguousAs(x, DType.INT64);
            sumLong(plan, src.storage().longs(), src.storageOffset(), out.storage());
        }
        return out;
    }

    private static Tensor contiguousAs(Tensor x, DType type) {
        return x.dtype() == type && x.isContiguous() ? x : ElementwiseEngine.cast(x, type);
    }

    private static void fillNaN(Tensor out) {
        if (out.dtype() == DType.FLOAT32) Arrays.fill(out.storage().floats(), Float.NaN);
        else Arrays.fill(out.storage().doubles(), Double.NaN);
    }

    /** Typed access to the contiguous source, called once per row (never per element). */
    private interface Source {
        double sum(int off, int n);

        void addInto(double[] acc, int off, int n);
    }

    private record FloatSource(float[] x, int base) implements Source {
        @Override public double sum(int off, int n) { return RowSums.sum(x, base + off, n); }

        @Override public void addInto(double[] acc, int off, int n) {
            int p = base + off;
            for (int j = 0; j < n; j++) acc[j] += x[p + j];
        }
    }

    private record DoubleSource(double[] x, int base) implements Source {
        @Override public double sum(int off, int n) {
            int p = base + off;
            double s0 = 0;
            double s1 = 0;
            double s2 = 0;
            double s3 = 0;
            int i = 0;
            for (; i + 3 < n; i += 4) {
                s0 += x[p + i];
                s1 += x[p + i + 1];
                s2 += x[p + i + 2];
                s3 += x[p + i + 3];
            }
            for (; i < n; i++) s0 += x[p + i];
            return (s0 + s1) + (s2 + s3);
        }

        @Override public void addInto(double[] acc, int off, int n) {
            int p = base + off;
            for (int j = 0; j < n; j++) acc[j] += x[p + j];
        }
    }

    /** Inner reduced: one task per output; a full reduction of one long row is split across threads. */
    private static void sumInner(ReductionPlan plan, Source s, Storage out, double divisor) {
        int n = plan.inner();
        if (plan.tasks() == 1 && plan.rowsPerTask() == 1 && n >= 2 * Parallel.ELEMENTWISE_GRAIN) {
            int chunks = Math.min(Parallel.numThreads(), n / Parallel.ELEMENTWISE_GRAIN);
            int per = (n + chunks - 1) / chunks;
            double[] partial = new double[chunks];
            Parallel.forRange(chunks, 1, (cs, ce) -> {
                for (int c = cs; c < ce; c++) {
                    int start = c * per;
                    partial[c] = s.sum(start, Math.min(n, start + per) - start);
                }
            });
            double total = 0;
            for (double p : partial) total += p;
            out.setDouble(0, total / divisor);
            return;
        }
        int grain = (int) Math.max(1, Parallel.ELEMENTWISE_GRAIN / Math.max(1, plan.count()));
        Parallel.forRange(plan.tasks(), grain, (ts, te) -> {
            double[] acc = new double[1];
            for (int o = ts; o < te; o++) {
                acc[0] = 0;
                plan.forEachRow(o, off -> acc[0] += s.sum(off, n));
                out.setDouble(o, acc[0] / divisor);
            }
        });
    }

    /** Inner kept: tasks add whole rows into an accumulator row; columns are split when tasks are few. */
    private static void sumColumns(ReductionPlan plan, Source s, Storage out, double divisor) {
        int inner = plan.inner();
        int block = columnBlock(plan);
        int blocks = (inner + block - 1) / block;
        int items = plan.tasks() * blocks;
        long workPerItem = plan.rowsPerTask() * (long) block;
        int grain = (int) Math.max(1, Parallel.ELEMENTWISE_GRAIN / workPerItem);
        Parallel.forRange(items, grain, (ws, we) -> {
            double[] acc = new double[block];
            for (int w = ws; w < we; w++) {
                int o = w / blocks;
                int j0 = (w % blocks) * block;
                int m = Math.min(block, inner - j0);
                Arrays.fill(acc, 0, m, 0.0);
                plan.forEachRow(o, off -> s.addInto(acc, off + j0, m));
                for (int j = 0; j < m; j++) acc[j] /= divisor;
                RowIO.storeDouble(acc, out, o * inner + j0, m);
            }
        });
    }

    /** Column block: at most {@link #COLUMN_BLOCK}, smaller when there are fewer tasks than threads. */
    private static int columnBlock(ReductionPlan plan) {
        int inner = plan.inner();
        int block = Math.min(inner, COLUMN_BLOCK);
        int threads = Parallel.numThreads();
        if (plan.tasks() < threads && (long) inner * plan.rowsPerTask() >= 2L * Parallel.ELEMENTWISE_GRAIN) {
            block = Math.min(block, Math.max(64, (inner + threads - 1) / threads));
        }
        return block;
    }

    /** Exact integral sums in long (both geometries; integral sums are rarely hot, so one simple loop each). */
    private static void sumLong(ReductionPlan plan, long[] x, int base, Storage out) {
        int inner = plan.inner();
        int grain = (int) Math.max(1, Parallel.ELEMENTWISE_GRAIN / Math.max(1, plan.count()));
        if (plan.innerReduced()) {
            Parallel.forRange(plan.tasks(), grain, (ts, te) -> {
                long[] acc = new long[1];
                for (int o = ts; o < te; o++) {
                    acc[0] = 0;
                    plan.forEachRow(o, off -> {
                        long t = 0;
                        for (int i = 0; i < inner; i++) t += x[base + off + i];
                        acc[0] += t;
                    });
                    out.setLong(o, acc[0]);
                }
            });
            return;
        }
        Parallel.forRange(plan.tasks(), Math.max(1, grain / inner), (ts, te) -> {
            long[] acc = new long[inner];
            for (int o = ts; o < te; o++) {
                Arrays.fill(acc, 0);
                plan.forEachRow(o, off -> {
                    for (int j = 0; j < inner; j++) acc[j] += x[base + off + j];
                });
                RowIO.storeLong(acc, out, o * inner, inner);
            }
        });
    }
}
