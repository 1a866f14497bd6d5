package dev.kiln.ir.infer;

import dev.kiln.ir.DType;
import dev.kiln.ir.type.TensorType;
import java.util.List;

/**
 * PyTorch's {@code result_type} over IR types, the same rule as eager's {@code TypePromotion}: operands fall into
 * three priority classes — tensors with dimensions, 0-d tensors, and wrapped numbers. Within a class dtypes
 * promote with {@link DType#promote}; a lower class raises the result only when it is of a higher category
 * (bool &lt; integral &lt; floating), and a wrapped float then contributes the default float dtype. So
 * {@code f32[3] * f64[]{wrapped}} is f32, {@code i32[3] + f64[]{wrapped}} is f32, {@code f32[3] + f64[]} is f32.
 */
public final class Promotion {
    private Promotion() {}

    /** The dtype an elementwise op over {@code operands} computes in; null operands are skipped. */
    public static DType resultType(List<TensorType> operands) {
        DType dimResult = null;
        DType zeroResult = null;
        DType wrappedResult = null;
        for (TensorType t : operands) {
            if (t == null) continue;
            if (t.wrappedNumber()) {
                wrappedResult = promote(wrappedResult, t.dtype().isFloatingPoint() ? DType.DEFAULT_FLOAT : t.dtype());
            } else if (t.rank() == 0) {
                zeroResult = promote(zeroResult, t.dtype());
            } else {
                dimResult = promote(dimResult, t.dtype());
            }
        }
        DType r = combine(dimResult, combine(zeroResult, wrappedResult));
        if (r == null) throw new IllegalArgumentException("resultType: no operands");
        return r;
    }

    /** The type of a Java scalar used as an operand: Boolean → bool, Long → i64, Double → f64, all wrapped. */
    public static TensorType wrappedScalar(Object scalar) {
        if (scalar instanceof Boolean) return TensorType.wrapped(DType.BOOL);
        if (scalar instanceof Long) return TensorType.wrapped(DType.INT64);
        return TensorType.wrapped(DType.FLOAT64);
    }

    private static DType promote(DType a, DType b) { return a == null ? b : DType.promote(a, b); }

    /** c10's combine_categories: a lower class raises the result only by category. */
    private static DType combine(DType higher, DType lower) {
        if (higher == null) return lower;
        if (lower == null) return higher;
        if (higher.isFloatingPoint()) return higher;
        if (higher == DType.BOOL || lower.isFloatingPoint()) return DType.promote(higher, lower);
        return higher;
    }
}
