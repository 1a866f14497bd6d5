package dev.kiln.eager.kernels;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.Attrs;
import dev.kiln.ir.DType;
import java.util.Arrays;

/** Argument parsing and checks shared by the neural-network kernels. */
final class NnArgs {
    private NnArgs() {}

    /**
     * Reads a (height, width) attribute given as one or two values ({@code stride=[2]} means {@code (2, 2)}),
     * each at least {@code min}.
     */
    static int[] pair(Attrs attrs, String name, int min) {
        long[] v = attrs.getInts(name);
        if (v.length != 1 && v.length != 2) {
            throw new KilnException(attrs.op() + ": argument '" + name + "' expected 1 or 2 values, found "
                    + Arrays.toString(v));
        }
        long a = v[0];
        long b = v.length == 2 ? v[1] : v[0];
        if (a < min || b < min || a > Integer.MAX_VALUE || b > Integer.MAX_VALUE) {
            throw new KilnException(attrs.op() + ": argument '" + name + "' expected values of at least " + min
                    + ", found " + Arrays.toString(v));
        }
        return new int[] {(int) a, (int) b};
    }

    /** Throws unless {@code t} is float32 or float64. */
    static void requireFloating(Attrs attrs, String arg, Tensor t) {
        if (!t.dtype().isFloatingPoint()) {
            throw new KilnException(attrs.op() + ": argument '" + arg + "' expected a floating dtype (float32 or "
                    + "float64), found " + t.dtype().torchName());
        }
    }

    /** Throws unless {@code t} is null or has {@code dtype}. */
    static void requireDtype(Attrs attrs, String arg, Tensor t, DType dtype) {
        if (t != null && t.dtype() != dtype) {
            throw new KilnException(attrs.op() + ": argument '" + arg + "' expected dtype " + dtype.torchName()
                    + " like 'input', found " + t.dtype().torchName());
        }
    }
}
