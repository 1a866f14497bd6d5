package dev.kiln.codegen.ptx;

import dev.kiln.ir.DType;
import dev.kiln.ir.sym.SymExpr;
import dev.kiln.ir.type.Shape;
import dev.kiln.ir.type.TensorType;
import dev.kiln.passes.kernel.Expr;
import dev.kiln.passes.kernel.Expr.Binary;
import dev.kiln.passes.kernel.Expr.BinaryOp;
import dev.kiln.passes.kernel.Expr.Const;
import dev.kiln.passes.kernel.Expr.Load;
import dev.kiln.passes.kernel.Expr.Reduce;
import dev.kiln.passes.kernel.Expr.ReduceOp;
import dev.kiln.passes.kernel.Expr.Unary;
import dev.kiln.passes.kernel.Expr.UnaryOp;
import dev.kiln.passes.kernel.Kernel;
import dev.kiln.passes.kernel.Operand;
import java.util.ArrayList;
import java.util.List;

/** Hand-built kernel IR for the renderer's golden, ptxas and structure tests (symbolic sizes B and S). */
final class KernelIrKernels {
    private KernelIrKernels() {}

    static final DType F32 = DType.FLOAT32;

    static TensorType type(DType t, Object... dims) {
        List<SymExpr> d = new ArrayList<>();
        for (Object o : dims) d.add(o instanceof String s ? SymExpr.symbol(s) : SymExpr.of(((Number) o).longValue()));
        return TensorType.of(t, Shape.of(d));
    }

    static Operand operand(String name, TensorType t) { return new Operand(name, t, null); }

    /**
     * {@code out0 = where(mask, -inf, gelu(x * 1.5 + bias) / (|x| + 1))}, {@code out1 = x > bias} over
     * {@code [B, 4, 16]}: a full operand, a broadcast row bias {@code [16]}, a broadcast bool mask {@code [B, 1, 16]}
     * and an operand only an anchor would read ({@code [3, 3]}, which must get no parameter).
     */
    static Kernel elementwise() {
        TensorType full = type(F32, "B", 4, 16);
        List<Operand> ops = List.of(operand("x", full), operand("bias", type(F32, 16)),
                operand("mask", type(DType.BOOL, "B", 1, 16)), operand("weight", type(F32, 3, 3)));
        Expr x = new Load(0, F32);
        Expr bias = new Load(1, F32);
        Expr scaled = new Binary(BinaryOp.ADD, new Binary(BinaryOp.MUL, x, new Const(1.5, DType.FLOAT64), F32, F32),
                bias, F32, F32);
        Expr den = new Binary(BinaryOp.ADD, new Unary(UnaryOp.ABS, x, F32), new Const(1, DType.FLOAT64), F32, F32);
        Expr value = new Binary(BinaryOp.DIV, new Unary(UnaryOp.GELU, scaled, F32), den, F32, F32);
        Expr masked = new Expr.Select(new Load(2, DType.BOOL),
                new Unary(UnaryOp.CAST, new Const(Double.NEGATIVE_INFINITY, DType.FLOAT64), F32), value, F32);
        Expr greater = new Binary(BinaryOp.GT, x, bias, F32, DType.BOOL);
        return new Kernel("ew", ops, full.shape().dims(), -1, List.of(new Kernel.Store(masked, full, false),
                new Kernel.Store(greater, type(DType.BOOL, "B", 4, 16), false)));
    }

    /**
     * Softmax over the middle axis of {@code [B, S, 8]} (nested reductions: the sum needs the max) and the mean
     * over the same axis as a reduced store {@code [B, 8]}.
     */
    static Kernel softmaxMiddleAxis() {
        TensorType full = type(F32, "B", "S", 8);
        Expr x = new Load(0, F32);
        Expr shifted = new Binary(BinaryOp.SUB, x, new Reduce(ReduceOp.MAX, x, F32), F32, F32);
        Expr e = new Unary(UnaryOp.EXP, shifted, F32);
        Expr softmax = new Binary(BinaryOp.DIV, e, new Reduce(ReduceOp.SUM, e, F32), F32, F32);
        Expr mean = new Binary(BinaryOp.DIV, new Reduce(ReduceOp.SUM, x, F32), new Expr.Extent(F32), F32, F32);
        return new Kernel("softmax", List.of(operand("x", full)), full.shape().dims(), 1,
                List.of(new Kernel.Store(softmax, full, false), new Kernel.Store(mean, type(F32, "B", 8), true)));
    }

    /** Every unary and binary op of the kernel IR once in f32 (and the exact ones in f64 and i64), over {@code [S]}. */
    static Kernel everyOp() {
        TensorType f = type(F32, "S");
        List<Operand> ops = List.of(operand("a", f), operand("b", f), operand("d", type(DType.FLOAT64, "S")),
                operand("i", type(DType.INT64, "S")), operand("j", type(DType.INT32, "S")));
        Expr a = new Load(0, F32);
        Expr b = new Load(1, F32);
        Expr d = new Load(2, DType.FLOAT64);
        Expr i = new Load(3, DType.INT64);
        Expr j = new Load(4, DType.INT32);
        List<Kernel.Store> stores = new ArrayList<>();
        for (UnaryOp op : UnaryOp.values()) {
            DType out = op == UnaryOp.NOT ? DType.BOOL : F32;
            stores.add(new Kernel.Store(new Unary(op, a, 1.0, 20.0, out), type(out, "S"), false));
        }
        for (BinaryOp op : BinaryOp.values()) {
            boolean bool = switch (op) {
                case EQ, NE, LT, LE, GT, GE, AND, OR -> true;
                default -> false;
            };
            DType out = bool ? DType.BOOL : F32;
            stores.add(new Kernel.Store(new Binary(op, a, b, F32, out), type(out, "S"), false));
            if (op == BinaryOp.POW) continue;
            stores.add(new Kernel.Store(new Binary(op, d, d, DType.FLOAT64, bool ? DType.BOOL : DType.FLOAT64),
                    type(bool ? DType.BOOL : DType.FLOAT64, "S"), false));
            if (op == BinaryOp.DIV) continue;
            stores.add(new Kernel.Store(new Binary(op, i, j, DType.INT64, bool ? DType.BOOL : DType.INT64),
                    type(bool ? DType.BOOL : DType.INT64, "S"), false));
        }
        for (UnaryOp op : List.of(UnaryOp.ABS, UnaryOp.NEG, UnaryOp.RELU, UnaryOp.SQRT, UnaryOp.RSQRT,
                UnaryOp.RECIPROCAL)) {
            stores.add(new Kernel.Store(new Unary(op, d, DType.FLOAT64), type(DType.FLOAT64, "S"), false));
        }
        for (DType t : DType.values()) {
            stores.add(new Kernel.Store(new Unary(UnaryOp.CAST, a, t), type(t, "S"), false));
            stores.add(new Kernel.Store(new Unary(UnaryOp.CAST, j, t), type(t, "S"), false));
        }
        stores.add(new Kernel.Store(new Expr.Select(i, j, i, DType.INT32), type(DType.INT32, "S"), false));
        return new Kernel("every_op", ops, f.shape().dims(), -1, stores);
    }
}
