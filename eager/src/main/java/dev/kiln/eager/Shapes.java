package dev.kiln.eager;

import dev.kiln.ir.Op;
import java.util.Arrays;

/** Shape arithmetic shared by kernels: element counts, strides, dimension wrapping, broadcasting. */
public final class Shapes {
    private Shapes() {}

    /** Product of the sizes (1 for a 0-d shape). */
    public static long numel(int[] shape) {
        long n = 1;
        for (int s : shape) n *= s;
        return n;
    }

    /** Row-major strides of a contiguous tensor of {@code shape}. */
    public static int[] contiguousStrides(int[] shape) {
        int[] st = new int[shape.length];
        int s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            st[i] = s;
            s *= Math.max(shape[i], 1);
        }
        return st;
    }

    /**
     * Wraps a possibly negative dimension index into {@code [0, rank)}, as PyTorch does; a 0-d tensor accepts
     * dims -1 and 0. Throws naming the op and argument when out of range.
     */
    public static int wrapDim(long dim, int rank, Op op, String arg) {
        int r = Math.max(rank, 1);
        if (dim < -r || dim >= r) {
            throw new KilnException(op + ": argument '" + arg + "' expected a dimension in range [" + (-r) + ", "
                    + (r - 1) + "] for a " + rank + "-d tensor, found " + dim);
        }
        return (int) (dim < 0 ? dim + r : dim);
    }

    /** Same as {@link #wrapDim(long, int, Op, String)} with a context string instead of an op. */
    public static int wrapDim(long dim, int rank, String where) {
        int r = Math.max(rank, 1);
        if (dim < -r || dim >= r) {
            throw new KilnException(where + ": expected a dimension in range [" + (-r) + ", " + (r - 1)
                    + "] for a " + rank + "-d tensor, found " + dim);
        }
        return (int) (dim < 0 ? dim + r : dim);
    }

    /** The broadcast shape of {@code a} and {@code b} (NumPy/PyTorch rules), or an error naming the op. */
    public static int[] broadcast(int[] a, int[] b, Op op) {
        int n = Math.max(a.length, b.length);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int da = i - (n - a.length) >= 0 ? a[i - (n - a.length)] : 1;
            int db = i - (n - b.length) >= 0 ? b[i - (n - b.length)] : 1;
            if (da != db && da != 1 && db != 1) {
                throw new KilnException(op + ": shapes " + Arrays.toString(a) + " and " + Arrays.toString(b)
                        + " cannot be broadcast: expected equal sizes or 1 at dimension " + i + " of the result, found "
                        + da + " and " + db);
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** Strides that read a tensor of {@code shape}/{@code strides} as if expanded to {@code target} (0 where broadcast). */
    public static int[] broadcastStrides(int[] shape, int[] strides, int[] target) {
        int[] out = new int[target.length];
        int lead = target.length - shape.length;
        for (int i = 0; i < shape.length; i++) {
            out[lead + i] = shape[i] == 1 && target[lead + i] != 1 ? 0 : strides[i];
        }
        return out;
    }

    /** Converts user-facing long sizes to ints, rejecting negatives and overflow; {@code where} names the call. */
    public static int[] toIntShape(long[] shape, String where) {
        int[] out = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0 || shape[i] > Integer.MAX_VALUE) {
                throw new KilnException(where + ": expected non-negative sizes, found " + Arrays.toString(shape));
            }
            out[i] = (int) shape[i];
        }
        return out;
    }

    public static long[] toLongs(int[] a) {
        long[] out = new long[a.length];
        for (int i = 0; i < a.length; i++) out[i] = a[i];
        return out;
    }
}
