package dev.kiln.eager;

import dev.kiln.ir.DType;

/**
 * PyTorch's result-type rule ({@code torch.result_type}) for the operands of an elementwise op.
 *
 * <p>Operands fall into three priority classes: tensors with at least one dimension, 0-d tensors, and wrapped
 * numbers (Java scalars). Within a class dtypes promote with {@link DType#promote}; a lower class only matters when
 * it is of a higher category (bool &lt; integral &lt; floating), and a wrapped float then contributes the default
 * float dtype. So {@code f32[3] + f64 0-d} is f32, {@code i32[3] + 2.5} is f32, {@code bool[3] + 2} is i64.
 */
public final class TypePromotion {
    private TypePromotion() {}

    /** The dtype an elementwise op over {@code operands} computes in; {@code null} operands are skipped. */
    public static DType resultType(Tensor... operands) {
        DType dimResult = null;
        DType zeroResult = null;
        DType wrappedResult = null;
        for (Tensor t : operands) {
            if (t == null) continue;
            if (t.isWrappedNumber()) {
                DType d = t.dtype().isFloatingPoint() ? DType.DEFAULT_FLOAT : t.dtype();
                wrappedResult = promoteSkipNull(wrappedResult, d);
            } else if (t.dim() == 0) {
                zeroResult = promoteSkipNull(zeroResult, t.dtype());
            } else {
                dimResult = promoteSkipNull(dimResult, t.dtype());
            }
        }
        DType r = combine(dimResult, combine(zeroResult, wrappedResult));
        if (r == null) throw new KilnException("resultType: no operands");
        return r;
    }

    private static DType promoteSkipNull(DType a, DType b) {
        if (a == null) return b;
        if (b == null) return a;
        return DType.promote(a, b);
    }

    /** c10's combine_categories: a lower class raises the result only by category. */
    private static DType combine(DType higher, DType lower) {
        if (higher == null) return lower;
        if (lower == null) return higher;
        if (higher.isFloatingPoint()) return higher;
        if (higher == DType.BOOL || lower.isFloatingPoint()) return DType.promote(higher, lower);
        return higher;
    }
}
