package dev.kiln.eager.kernels;

import dev.kiln.eager.Storage;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.DType;

/**
 * {@code out = cond ? a : b} elementwise with broadcasting: the engine behind {@code where} and
 * {@code masked_fill}.
 *
 * <p>Preconditions (checked by the callers, which know the op's names for errors): {@code cond} is bool,
 * {@code a} and {@code b} already have the result dtype, and all three broadcast to {@code shape}. Float32 runs a
 * direct loop (unit-stride rows without index arithmetic); other dtypes go through the buffered domains.
 */
final class Select {
    private Select() {}

    static Tensor select(Tensor cond, Tensor a, Tensor b, int[] shape) {
        DType type = a.dtype();
        Tensor out = Tensor.empty(type, shape);
        if (out.numel() == 0) return out;
        boolean[] c = cond.storage().bools();
        Tensor[] ins = {cond, a, b};
        if (type == DType.FLOAT32) {
            float[] x = a.storage().floats();
            float[] y = b.storage().floats();
            float[] o = out.storage().floats();
            ElementwiseEngine.run(out, ins, ElementwiseEngine.CHEAP_GRAIN, (n, off, st) -> {
                int oo = off[0];
                int co = off[1];
                int ao = off[2];
                int bo = off[3];
                if (st[1] == 1 && st[2] == 1 && st[3] == 1) {
                    for (int i = 0; i < n; i++) o[oo + i] = pick(c[co + i], x[ao + i], y[bo + i]);
                } else if (st[1] == 1 && st[2] == 1 && st[3] == 0) {
                    float s = y[bo];
                    for (int i = 0; i < n; i++) o[oo + i] = pick(c[co + i], x[ao + i], s);
                } else if (st[1] == 1 && st[2] == 0 && st[3] == 1) {
                    float s = x[ao];
                    for (int i = 0; i < n; i++) o[oo + i] = pick(c[co + i], s, y[bo + i]);
                } else {
                    int cs = st[1];
                    int as = st[2];
                    int bs = st[3];
                    for (int i = 0; i < n; i++) o[oo + i] = pick(c[co + i * cs], x[ao + i * as], y[bo + i * bs]);
                }
            });
            return out;
        }
        Storage as = a.storage();
        Storage bs = b.storage();
        Storage os = out.storage();
        boolean floating = type.isFloatingPoint();
        ElementwiseEngine.run(out, ins, ElementwiseEngine.CHEAP_GRAIN, (n, off, st) -> {
            RowIO.Scratch s = RowIO.scratch();
            for (int k = 0; k < n; k += RowIO.CHUNK) {
                int m = Math.min(RowIO.CHUNK, n - k);
                int co = off[1] + k * st[1];
                if (floating) {
                    double[] x = s.d[0];
                    double[] y = s.d[1];
                    RowIO.loadDouble(as, off[2] + k * st[2], st[2], m, x, false);
                    RowIO.loadDouble(bs, off[3] + k * st[3], st[3], m, y, false);
                    for (int i = 0; i < m; i++) if (!c[co + i * st[1]]) x[i] = y[i];
                    RowIO.storeDouble(x, os, off[0] + k, m);
                } else {
                    long[] x = s.l[0];
                    long[] y = s.l[1];
                    RowIO.loadLong(as, off[2] + k * st[2], st[2], m, x, false);
                    RowIO.loadLong(bs, off[3] + k * st[3], st[3], m, y, false);
                    for (int i = 0; i < m; i++) if (!c[co + i * st[1]]) x[i] = y[i];
                    RowIO.storeLong(x, os, off[0] + k, m);
                }
            }
        });
        return out;
    }

    /**
     * {@code c ? a : b} without a branch: masks (random, attention-style) make a float branch mispredict, so the
     * choice is made on the bit patterns with an all-ones or all-zeros mask.
     */
    private static float pick(boolean c, float a, float b) {
        int m = -(c ? 1 : 0);
        return Float.intBitsToFloat((Float.floatToRawIntBits(a) & m) | (Float.floatToRawIntBits(b) & ~m));
    }
}
