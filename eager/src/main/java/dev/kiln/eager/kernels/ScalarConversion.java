package dev.kiln.eager.kernels;

import dev.kiln.eager.KilnException;
import dev.kiln.ir.DType;
import dev.kiln.ir.Op;

/**
 * Converts a {@code SCALAR} attribute ({@link Long}, {@link Double} or {@link Boolean}) to a dtype the way ATen's
 * {@code Scalar::to<T>} does: refusing values the type cannot hold ({@code checked_convert}) and otherwise casting
 * as C does (floats to integers truncate toward zero). Infinities and NaN pass into floating types; NaN and
 * infinities into integers overflow; bool takes any value ({@code != 0}).
 */
final class ScalarConversion {
    private ScalarConversion() {}

    /** The scalar as an integer of {@code to} (int32 or int64), range-checked. */
    static long toIntegral(Object value, DType to, Op op, String arg) {
        long min = to == DType.INT32 ? Integer.MIN_VALUE : Long.MIN_VALUE;
        long max = to == DType.INT32 ? Integer.MAX_VALUE : Long.MAX_VALUE;
        if (value instanceof Boolean b) return b ? 1 : 0;
        if (value instanceof Long l) {
            if (l < min || l > max) throw overflow(value, to, op, arg);
            return l;
        }
        double d = (Double) value;
        // As c10::overflows: NaN and out-of-range values (compared in double) cannot be converted.
        if (Double.isNaN(d) || d < (double) min || d > (double) max) throw overflow(value, to, op, arg);
        return (long) d;
    }

    /** The scalar as a value of floating {@code to}; float32 refuses finite values beyond its range. */
    static double toFloating(Object value, DType to, Op op, String arg) {
        double d = value instanceof Boolean b ? (b ? 1 : 0) : value instanceof Long l ? (double) l : (Double) value;
        if (to == DType.FLOAT32 && value instanceof Double && Double.isFinite(d) && Math.abs(d) > Float.MAX_VALUE) {
            throw overflow(value, to, op, arg);
        }
        return d;
    }

    /** The scalar as a bool: nonzero (and NaN) is true. */
    static boolean toBool(Object value) {
        if (value instanceof Boolean b) return b;
        if (value instanceof Long l) return l != 0;
        return (Double) value != 0;
    }

    private static KilnException overflow(Object value, DType to, Op op, String arg) {
        return new KilnException(op + ": argument '" + arg + "' expected a value representable in " + to + ", found "
                + value + " (value cannot be converted to type " + to + " without overflow)");
    }
}
