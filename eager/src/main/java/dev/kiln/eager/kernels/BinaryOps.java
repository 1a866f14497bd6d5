package dev.kiln.eager.kernels;

import static dev.kiln.eager.kernels.ElementwiseEngine.CHEAP_GRAIN;
import static dev.kiln.eager.kernels.ElementwiseEngine.COSTLY_GRAIN;

import dev.kiln.eager.Kernel;
import dev.kiln.eager.KilnException;
import dev.kiln.eager.Tensor;
import dev.kiln.eager.TypePromotion;
import dev.kiln.ir.Attrs;
import dev.kiln.ir.DType;
import dev.kiln.ir.Op;
import java.util.Map;
import java.util.function.DoubleBinaryOperator;
import java.util.function.LongBinaryOperator;

/**
 * Kernels of the broadcasting binary ops: arithmetic, comparisons and logical and/or.
 *
 * <p>Each kernel decides the dtypes as ATen does ({@link TypePromotion#resultType}; true division and float-only
 * results lift integers to float32), checks the op's dtype restrictions, and hands the computation to
 * {@link Float32Kernels} when the result is float32 and every operand is float32 or a scalar, else to
 * {@link ElementwiseEngine}'s double (floating) or long (integral, bool) domain.
 */
final class BinaryOps {
    private BinaryOps() {}

    static void register(Map<Op, Kernel> t) {
        KernelRegistry.put(t, Op.ADD, Kernel.single((in, at) -> add(Op.ADD, in[0], in[1], at.getScalar("alpha"))));
        KernelRegistry.put(t, Op.SUB, Kernel.single((in, at) -> sub(in[0], in[1], at.getScalar("alpha"))));
        KernelRegistry.put(t, Op.MUL, Kernel.single((in, at) -> mul(in[0], in[1])));
        KernelRegistry.put(t, Op.DIV, Kernel.single(BinaryOps::div));
        KernelRegistry.put(t, Op.POW, Kernel.single((in, at) -> pow(in[0], in[1])));
        KernelRegistry.put(t, Op.MAXIMUM, Kernel.single((in, at) -> arith(Op.MAXIMUM, in[0], in[1], Math::max,
                Math::max, CHEAP_GRAIN)));
        KernelRegistry.put(t, Op.MINIMUM, Kernel.single((in, at) -> arith(Op.MINIMUM, in[0], in[1], Math::min,
                Math::min, CHEAP_GRAIN)));
        KernelRegistry.put(t, Op.EQ, Kernel.single((in, at) -> compare(Op.EQ, in[0], in[1],
                (x, y) -> x == y ? 1 : 0, (x, y) -> x == y ? 1 : 0)));
        KernelRegistry.put(t, Op.NE, Kernel.single((in, at) -> compare(Op.NE, in[0], in[1],
                (x, y) -> x != y ? 1 : 0, (x, y) -> x != y ? 1 : 0)));
        KernelRegistry.put(t, Op.LT, Kernel.single((in, at) -> compare(Op.LT, in[0], in[1],
                (x, y) -> x < y ? 1 : 0, (x, y) -> x < y ? 1 : 0)));
        KernelRegistry.put(t, Op.LE, Kernel.single((in, at) -> compare(Op.LE, in[0], in[1],
                (x, y) -> x <= y ? 1 : 0, (x, y) -> x <= y ? 1 : 0)));
        KernelRegistry.put(t, Op.GT, Kernel.single((in, at) -> compare(Op.GT, in[0], in[1],
                (x, y) -> x > y ? 1 : 0, (x, y) -> x > y ? 1 : 0)));
        KernelRegistry.put(t, Op.GE, Kernel.single((in, at) -> compare(Op.GE, in[0], in[1],
                (x, y) -> x >= y ? 1 : 0, (x, y) -> x >= y ? 1 : 0)));
        // Truthiness in double: NaN and any nonzero integer are true, and no int64 rounds to 0.
        KernelRegistry.put(t, Op.LOGICAL_AND, Kernel.single((in, at) -> ElementwiseEngine.binaryDouble(
                Op.LOGICAL_AND, in[0], in[1], DType.FLOAT64, DType.BOOL, (x, y) -> x != 0 && y != 0 ? 1 : 0,
                CHEAP_GRAIN)));
        KernelRegistry.put(t, Op.LOGICAL_OR, Kernel.single((in, at) -> ElementwiseEngine.binaryDouble(
                Op.LOGICAL_OR, in[0], in[1], DType.FLOAT64, DType.BOOL, (x, y) -> x != 0 || y != 0 ? 1 : 0,
                CHEAP_GRAIN)));
    }

    /** {@code a + alpha * b}. */
    static Tensor add(Op op, Tensor a, Tensor b, Object alpha) {
        DType type = TypePromotion.resultType(a, b);
        checkAlpha(op, type, alpha);
        return addScaled(op, a, b, type, scalarAsDouble(alpha), scalarAsLong(alpha));
    }

    /** {@code a - alpha * b}; bool operands are refused, as in PyTorch. */
    static Tensor sub(Tensor a, Tensor b, Object alpha) {
        if (a.dtype() == DType.BOOL || b.dtype() == DType.BOOL) {
            throw new KilnException(Op.SUB + ": subtraction with a bool tensor is not supported: expected numeric "
                    + "'self' and 'other', found " + a.dtype() + " and " + b.dtype()
                    + " (use logical_not or logical_xor for masks)");
        }
        DType type = TypePromotion.resultType(a, b);
        checkAlpha(Op.SUB, type, alpha);
        return addScaled(Op.SUB, a, b, type, -scalarAsDouble(alpha), -scalarAsLong(alpha));
    }

    private static Tensor addScaled(Op op, Tensor a, Tensor b, DType type, double alpha, long alphaL) {
        if (type == DType.FLOAT32 && Float32Kernels.eligible(a, b)) {
            Float32Kernels.Binary f = alpha == 1 ? Float32Kernels.ADD
                    : alpha == -1 ? Float32Kernels.SUB : Float32Kernels.addScaled(alpha);
            return Float32Kernels.binary(op, f, a, b, CHEAP_GRAIN);
        }
        double al = type == DType.FLOAT32 ? (float) alpha : alpha;
        DoubleBinaryOperator fd = al == 1 ? (x, y) -> x + y : al == -1 ? (x, y) -> x - y : (x, y) -> x + al * y;
        return arith(op, a, b, type, fd, (x, y) -> x + alphaL * y, CHEAP_GRAIN);
    }

    /** ATen's alpha_check: bool alpha only for bool results, floating alpha only for floating results. */
    private static void checkAlpha(Op op, DType type, Object alpha) {
        if (alpha instanceof Boolean && type != DType.BOOL) {
            throw new KilnException(op + ": argument 'alpha' expected a number for a " + type + " result, found "
                    + "the boolean " + alpha);
        }
        if (alpha instanceof Double && !type.isFloatingPoint()) {
            throw new KilnException(op + ": argument 'alpha' expected an integer for " + type + " operands, found "
                    + "the floating-point number " + alpha);
        }
    }

    static Tensor mul(Tensor a, Tensor b) {
        DType type = TypePromotion.resultType(a, b);
        if (type == DType.FLOAT32 && Float32Kernels.eligible(a, b)) {
            return Float32Kernels.binary(Op.MUL, Float32Kernels.MUL, a, b, CHEAP_GRAIN);
        }
        return arith(Op.MUL, a, b, type, (x, y) -> x * y, (x, y) -> x * y, CHEAP_GRAIN);
    }

    private static Tensor div(Tensor[] in, Attrs attrs) {
        Tensor a = in[0];
        Tensor b = in[1];
        String mode = (String) attrs.getOrNull("rounding_mode");
        DType type = TypePromotion.resultType(a, b);
        if (mode == null) {
            if (!type.isFloatingPoint()) type = DType.DEFAULT_FLOAT; // true division of integers
            if (type == DType.FLOAT32 && Float32Kernels.eligible(a, b)) {
                return Float32Kernels.binary(Op.DIV, Float32Kernels.DIV, a, b, CHEAP_GRAIN);
            }
            return arith(Op.DIV, a, b, type, (x, y) -> x / y, null, CHEAP_GRAIN);
        }
        boolean f32 = type == DType.FLOAT32;
        switch (mode) {
            case "trunc":
                // For float32 the quotient is rounded to float before truncating, as ATen computes it in float.
                return arith(Op.DIV, a, b, type, f32 ? (x, y) -> trunc((float) (x / y)) : (x, y) -> trunc(x / y),
                        (x, y) -> {
                            checkNonZero(y);
                            return x / y;
                        }, CHEAP_GRAIN);
            case "floor":
                return arith(Op.DIV, a, b, type, ScalarMath::floorDivide, (x, y) -> {
                    checkNonZero(y);
                    return Math.floorDiv(x, y);
                }, CHEAP_GRAIN);
            default:
                throw new KilnException(Op.DIV + ": argument 'rounding_mode' expected \"trunc\", \"floor\" or "
                        + "absent, found \"" + mode + "\"");
        }
    }

    private static double trunc(double v) { return v < 0 ? Math.ceil(v) : Math.floor(v); }

    private static void checkNonZero(long divisor) {
        if (divisor == 0) {
            throw new KilnException(Op.DIV + ": ZeroDivisionError: integer division by zero: expected a nonzero "
                    + "'other', found 0");
        }
    }

    static Tensor pow(Tensor a, Tensor b) {
        DType type = TypePromotion.resultType(a, b);
        if (!type.isFloatingPoint() && b.isWrappedNumber() && !b.dtype().isFloatingPoint()
                && b.storage().getLong(b.storageOffset()) < 0) {
            throw new KilnException(Op.POW + ": integers to negative integer powers are not allowed: expected a "
                    + "non-negative 'exponent' for " + type + " 'self', found " + b.storage().getLong(b.storageOffset()));
        }
        return arith(Op.POW, a, b, type, Math::pow, ScalarMath::powi, COSTLY_GRAIN);
    }

    /** Arithmetic in {@code type}'s domain, with a {@code type} result. */
    private static Tensor arith(Op op, Tensor a, Tensor b, DType type, DoubleBinaryOperator fd,
            LongBinaryOperator fl, int grain) {
        if (type.isFloatingPoint()) return ElementwiseEngine.binaryDouble(op, a, b, type, type, fd, grain);
        return ElementwiseEngine.binaryLong(op, a, b, type, type, fl);
    }

    private static Tensor arith(Op op, Tensor a, Tensor b, DoubleBinaryOperator fd, LongBinaryOperator fl,
            int grain) {
        return arith(op, a, b, TypePromotion.resultType(a, b), fd, fl, grain);
    }

    /** A comparison evaluated in the promoted dtype, with a bool result (the functions return 1 or 0). */
    private static Tensor compare(Op op, Tensor a, Tensor b, DoubleBinaryOperator fd, LongBinaryOperator fl) {
        DType type = TypePromotion.resultType(a, b);
        if (type.isFloatingPoint()) return ElementwiseEngine.binaryDouble(op, a, b, type, DType.BOOL, fd, CHEAP_GRAIN);
        return ElementwiseEngine.binaryLong(op, a, b, type, DType.BOOL, fl);
    }

    static double scalarAsDouble(Object v) {
        if (v instanceof Boolean flag) return flag ? 1 : 0;
        return ((Number) v).doubleValue();
    }

    static long scalarAsLong(Object v) {
        if (v instanceof Boolean flag) return flag ? 1 : 0;
        if (v instanceof Double d) return d.longValue();
        return ((Number) v).longValue();
    }
}
