package dev.kiln.eager.kernels;

import dev.kiln.eager.Parallel;
import dev.kiln.eager.Storage;

/**
 * Maximum or minimum, with the index where it occurs, along the middle dim of a contiguous
 * {@code [outer, reduce, inner]} layout: the engine of {@code max}, {@code min}, {@code max.dim},
 * {@code min.dim}, {@code argmax} and {@code argmin}.
 *
 * <p>Semantics as PyTorch on CPU: the first index wins among equal values; NaN counts as the extreme (it
 * propagates) and the first NaN's index is reported. Floating dtypes are compared in double, integral and bool
 * ones in long, so no value is rounded. Rows are loaded through {@link RowIO} chunk by chunk; when
 * {@code inner > 1} each task keeps a row of running extremes and compares whole contiguous rows against it.
 *
 * <p>{@code reduce} must be at least 1 (callers reject empty reductions with the op's own message).
 */
final class ExtremumReduction {
    private ExtremumReduction() {}

    /**
     * Scans {@code src} (contiguous from its offset {@code base}) and writes, for output {@code o·inner + j}, the
     * extreme value into {@code values} (converted to its dtype; may be {@code null}) and its index along the
     * reduced dim into {@code indices} (may be {@code null}).
     */
    static void scan(Storage src, int base, int outer, int reduce, int inner, boolean max, Storage values,
            long[] indices) {
        boolean floating = src.dtype().isFloatingPoint();
        int block = Math.min(inner, RowIO.CHUNK);
        int blocks = (inner + block - 1) / block;
        int items = outer * blocks;
        int grain = (int) Math.max(1, Parallel.ELEMENTWISE_GRAIN / ((long) reduce * block));
        Parallel.forRange(items, grain, (ws, we) -> {
            for (int w = ws; w < we; w++) {
                int o = w / blocks;
                int j0 = (w % blocks) * block;
                int m = Math.min(block, inner - j0);
                int rowStart = base + o * reduce * inner + j0;
                int outAt = o * inner + j0;
                if (floating) scanDouble(src, rowStart, reduce, inner, m, max, values, indices, outAt);
                else scanLong(src, rowStart, reduce, inner, m, max, values, indices, outAt);
            }
        });
    }

    private static void scanDouble(Storage src, int start, int reduce, int inner, int m, boolean max,
            Storage values, long[] indices, int outAt) {
        RowIO.Scratch s = RowIO.scratch();
        double[] best = s.d[2];
        double[] buf = s.d[3];
        long[] at = s.l[2];
        if (inner == 1) { // one contiguous row of `reduce` elements
            double b = Double.NaN;
            long bi = 0;
            for (int c = 0; c < reduce; c += RowIO.CHUNK) {
                int k = Math.min(RowIO.CHUNK, reduce - c);
                RowIO.loadDouble(src, start + c, 1, k, buf, false);
                int i = 0;
                if (c == 0) {
                    b = buf[0];
                    i = 1;
                }
                if (b != b) break; // NaN already found: it stays
                for (; i < k; i++) {
                    double v = buf[i];
                    if (max ? v > b : v < b) {
                        b = v;
                        bi = c + i;
                    } else if (v != v) {
                        b = v;
                        bi = c + i;
                        break;
                    }
                }
                if (b != b) break;
            }
            best[0] = b;
            at[0] = bi;
        } else {
            RowIO.loadDouble(src, start, 1, m, best, false);
            java.util.Arrays.fill(at, 0, m, 0L);
            for (int r = 1; r < reduce; r++) {
                RowIO.loadDouble(src, start + r * inner, 1, m, buf, false);
                for (int j = 0; j < m; j++) {
                    double b = best[j];
                    double v = buf[j];
                    if (b == b && (max ? v > b : v < b) || (v != v && b == b)) {
                        best[j] = v;
                        at[j] = r;
                    }
                }
            }
        }
        int n = inner == 1 ? 1 : m;
        if (values != null) RowIO.storeDouble(best, values, outAt, n);
        if (indices != null) System.arraycopy(at, 0, indices, outAt, n);
    }

    private static void scanLong(Storage src, int start, int reduce, int inner, int m, boolean max,
            Storage values, long[] indices, int outAt) {
        RowIO.Scratch s = RowIO.scratch();
        long[] best = s.l[2];
        long[] buf = s.l[3];
        long[] at = s.l[1];
        if (inner == 1) {
            long b = 0;
            long bi = 0;
            for (int c = 0; c < reduce; c += RowIO.CHUNK) {
                int k = Math.min(RowIO.CHUNK, reduce - c);
                RowIO.loadLong(src, start + c, 1, k, buf, false);
                int i = 0;
                if (c == 0) {
                    b = buf[0];
                    i = 1;
                }
                for (; i < k; i++) {
                    long v = buf[i];
                    if (max ? v > b : v < b) {
                        b = v;
                        bi = c + i;
                    }
                }
            }
            best[0] = b;
            at[0] = bi;
        } else {
            RowIO.loadLong(src, start, 1, m, best, false);
            java.util.Arrays.fill(at, 0, m, 0L);
            for (int r = 1; r < reduce; r++) {
                RowIO.loadLong(src, start + r * inner, 1, m, buf, false);
                for (int j = 0; j < m; j++) {
                    long v = buf[j];
                    if (max ? v > best[j] : v < best[j]) {
                        best[j] = v;
                        at[j] = r;
                    }
                }
            }
        }
        int n = inner == 1 ? 1 : m;
        if (values != null) RowIO.storeLong(best, values, outAt, n);
        if (indices != null) System.arraycopy(at, 0, indices, outAt, n);
    }
}
