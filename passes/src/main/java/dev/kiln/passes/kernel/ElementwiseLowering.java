package dev.kiln.passes.kernel;

import dev.kiln.ir.Attrs;
import dev.kiln.ir.DType;
import dev.kiln.ir.Op;
import dev.kiln.ir.OpTrait;
import dev.kiln.ir.infer.Promotion;
import dev.kiln.ir.type.TensorType;
import dev.kiln.passes.kernel.Expr.Binary;
import dev.kiln.passes.kernel.Expr.BinaryOp;
import dev.kiln.passes.kernel.Expr.Unary;
import dev.kiln.passes.kernel.Expr.UnaryOp;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The op table for elementwise ops: each catalogue op with the {@link OpTrait#ELEMENTWISE} trait maps to a small
 * scalar expression. {@link #UNSUPPORTED} names the elementwise ops left out; a test checks that the two together
 * cover every elementwise op, so a new op cannot fall through silently.
 */
final class ElementwiseLowering {
    private ElementwiseLowering() {}

    /** Lowers one op given its operand expressions, attributes and types. */
    @FunctionalInterface
    interface Rule {
        Expr lower(List<Expr> in, Attrs attrs, List<TensorType> inTypes, DType out);
    }

    /** Elementwise ops without a lowering (none today). */
    static final Set<Op> UNSUPPORTED = EnumSet.noneOf(Op.class);

    static final Map<Op, Rule> TABLE = new EnumMap<>(Op.class);

    static {
        TABLE.put(Op.ADD, (in, a, t, out) -> new Binary(BinaryOp.ADD, in.get(0), alpha(in.get(1), a, out), out, out));
        TABLE.put(Op.SUB, (in, a, t, out) -> new Binary(BinaryOp.SUB, in.get(0), alpha(in.get(1), a, out), out, out));
        TABLE.put(Op.MUL, binary(BinaryOp.MUL));
        TABLE.put(Op.DIV, (in, a, t, out) -> {
            Object mode = a.getOrNull("rounding_mode");
            BinaryOp op = mode == null ? BinaryOp.DIV : mode.equals("floor") ? BinaryOp.FLOOR_DIV : BinaryOp.TRUNC_DIV;
            return new Binary(op, in.get(0), in.get(1), out, out);
        });
        TABLE.put(Op.POW, binary(BinaryOp.POW));
        TABLE.put(Op.MAXIMUM, binary(BinaryOp.MAX));
        TABLE.put(Op.MINIMUM, binary(BinaryOp.MIN));
        TABLE.put(Op.EQ, compare(BinaryOp.EQ));
        TABLE.put(Op.NE, compare(BinaryOp.NE));
        TABLE.put(Op.LT, compare(BinaryOp.LT));
        TABLE.put(Op.LE, compare(BinaryOp.LE));
        TABLE.put(Op.GT, compare(BinaryOp.GT));
        TABLE.put(Op.GE, compare(BinaryOp.GE));
        TABLE.put(Op.LOGICAL_AND, (in, a, t, out) -> new Binary(BinaryOp.AND, in.get(0), in.get(1), DType.BOOL, out));
        TABLE.put(Op.LOGICAL_OR, (in, a, t, out) -> new Binary(BinaryOp.OR, in.get(0), in.get(1), DType.BOOL, out));
        TABLE.put(Op.LOGICAL_NOT, unary(UnaryOp.NOT));
        TABLE.put(Op.WHERE, (in, a, t, out) -> new Expr.Select(in.get(0), cast(in.get(1), out), cast(in.get(2), out), out));
        TABLE.put(Op.MASKED_FILL, (in, a, t, out) -> new Expr.Select(in.get(1), cast(in.get(2), out), in.get(0), out));
        TABLE.put(Op.ABS, unary(UnaryOp.ABS));
        TABLE.put(Op.NEG, unary(UnaryOp.NEG));
        TABLE.put(Op.EXP, unary(UnaryOp.EXP));
        TABLE.put(Op.LOG, unary(UnaryOp.LOG));
        TABLE.put(Op.SQRT, unary(UnaryOp.SQRT));
        TABLE.put(Op.RSQRT, unary(UnaryOp.RSQRT));
        TABLE.put(Op.SIN, unary(UnaryOp.SIN));
        TABLE.put(Op.COS, unary(UnaryOp.COS));
        TABLE.put(Op.RECIPROCAL, unary(UnaryOp.RECIPROCAL));
        TABLE.put(Op.SIGMOID, unary(UnaryOp.SIGMOID));
        TABLE.put(Op.TANH, unary(UnaryOp.TANH));
        TABLE.put(Op.RELU, unary(UnaryOp.RELU));
        TABLE.put(Op.SILU, unary(UnaryOp.SILU));
        TABLE.put(Op.GELU, (in, a, t, out) -> new Unary(a.getString("approximate").equals("tanh") ? UnaryOp.GELU_TANH
                : UnaryOp.GELU, in.get(0), out));
        TABLE.put(Op.ELU, (in, a, t, out) -> new Unary(UnaryOp.ELU, in.get(0), a.getScalarAsDouble("alpha"), 0, out));
        TABLE.put(Op.LEAKY_RELU, (in, a, t, out) -> new Unary(UnaryOp.LEAKY_RELU, in.get(0),
                a.getScalarAsDouble("negative_slope"), 0, out));
        TABLE.put(Op.SOFTPLUS, (in, a, t, out) -> new Unary(UnaryOp.SOFTPLUS, in.get(0), a.getScalarAsDouble("beta"),
                a.getScalarAsDouble("threshold"), out));
        TABLE.put(Op.HARDTANH, (in, a, t, out) -> clamp(in.get(0), a.getScalarAsDouble("min_val"),
                a.getScalarAsDouble("max_val"), out));
        TABLE.put(Op.CLAMP, (in, a, t, out) -> clamp(in.get(0), a.has("min") ? a.getScalarAsDouble("min") : null,
                a.has("max") ? a.getScalarAsDouble("max") : null, out));
        TABLE.put(Op.TO_DTYPE, (in, a, t, out) -> cast(in.get(0), out));
        TABLE.put(Op.CLONE, (in, a, t, out) -> in.get(0));
    }

    private static Rule binary(BinaryOp op) { return (in, a, t, out) -> new Binary(op, in.get(0), in.get(1), out, out); }

    /** Comparisons compute in the operands' promoted type (a wrapped 0.1 is compared as an f32 0.1 to f32 data). */
    private static Rule compare(BinaryOp op) {
        return (in, a, t, out) -> new Binary(op, in.get(0), in.get(1), Promotion.resultType(t), out);
    }

    private static Rule unary(UnaryOp op) { return (in, a, t, out) -> new Unary(op, in.get(0), out); }

    private static Expr alpha(Expr b, Attrs a, DType out) {
        double alpha = a.getScalarAsDouble("alpha");
        return alpha == 1 ? b : new Binary(BinaryOp.MUL, b, new Expr.Const(alpha, out), out, out);
    }

    private static Expr clamp(Expr x, Double min, Double max, DType out) {
        Expr e = x;
        if (min != null) e = new Binary(BinaryOp.MAX, e, new Expr.Const(min, out), out, out);
        if (max != null) e = new Binary(BinaryOp.MIN, e, new Expr.Const(max, out), out, out);
        return e;
    }

    static Expr cast(Expr e, DType to) { return e.dtype() == to ? e : new Unary(UnaryOp.CAST, e, to); }
}
