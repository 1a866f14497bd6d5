package dev.kiln.ir.type;

import dev.kiln.ir.sym.SymExpr;
import java.util.Objects;

/**
 * A Java {@code long} known statically as a symbolic expression, e.g. the batch size {@code B} read with
 * {@code aten::size}. Printed {@code int(B)}; the expression is part of the type so that later ops can compute
 * shapes from it.
 */
public record SymIntType(SymExpr value) implements ValueType {
    public SymIntType {
        Objects.requireNonNull(value, "value");
    }

    @Override
    public String toString() { return "int(" + value + ")"; }
}
