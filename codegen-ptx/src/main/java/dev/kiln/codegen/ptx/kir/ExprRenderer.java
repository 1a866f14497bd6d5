package dev.kiln.codegen.ptx.kir;

import dev.kiln.codegen.ptx.alu.PtxAluTable;
import dev.kiln.codegen.ptx.alu.ScalarOp;
import dev.kiln.codegen.ptx.asm.PtxBuilder;
import dev.kiln.codegen.ptx.asm.Reg;
import dev.kiln.codegen.ptx.asm.RegClass;
import dev.kiln.codegen.ptx.kir.Values.Value;
import dev.kiln.ir.DType;
import dev.kiln.passes.kernel.Expr;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Emits the kernel IR's scalar DAG at one point of the domain. Each node is emitted once per point (memoised by
 * identity: the DAG shares sub-expressions as objects), with the interpreter's semantics: a binary op converts its
 * operands to its compute type, every result is rounded to its dtype ({@link Values#convert}).
 *
 * <p>{@code f32} ops go through the {@link PtxAluTable}; {@code f64} and integer values support the ops whose PTX
 * instructions are exact (arithmetic, min/max, comparisons, floor/trunc division, abs/neg/relu, sqrt and reciprocals
 * in {@code f64}). Anything else throws {@link UnsupportedKernelException} naming the op and dtype. {@link Expr.Reduce}
 * values come from {@code reduced} (computed by earlier passes over the reduction axis); one missing is a renderer bug
 * and throws.
 */
final class ExprRenderer {
    private final PtxBuilder b;
    private final IntFunction<Value> loader;
    private final Map<Expr, Value> reduced;
    private final Object extent;
    private final Map<Expr, Value> done = new IdentityHashMap<>();

    /**
     * @param loader  the value of operand {@code k} at this point
     * @param reduced values of the reductions already computed at this outer point
     * @param extent  the reduction extent (a {@code Long} or {@code u32} register), or null in an elementwise kernel
     */
    ExprRenderer(PtxBuilder b, IntFunction<Value> loader, Map<Expr, Value> reduced, Object extent) {
        this.b = b;
        this.loader = loader;
        this.reduced = reduced;
        this.extent = extent;
    }

    Value emit(Expr e) {
        Value v = done.get(e);
        if (v != null) return v;
        v = Values.convert(b, compute(e), e.dtype());
        done.put(e, v);
        return v;
    }

    /**
     * {@code e}'s value converted to {@code t}; a constant is materialised directly in {@code t} (rounded to its own
     * dtype first, as the interpreter does), so a wrapped {@code f64} scalar costs no run-time conversion.
     */
    Value emitAs(Expr e, DType t) {
        if (e instanceof Expr.Const c && !done.containsKey(e)) {
            double v = Values.roundTo(c.dtype(), c.value());
            return Values.constant(b, v, t);
        }
        return Values.convert(b, emit(e), t);
    }

    private Value compute(Expr e) {
        if (e instanceof Expr.Load l) return loader.apply(l.operand());
        if (e instanceof Expr.Const c) return Values.constant(b, c.value(), c.dtype());
        if (e instanceof Expr.Extent x) return extent(x);
        if (e instanceof Expr.Unary u) return unary(u);
        if (e instanceof Expr.Binary bin) return binary(bin);
        if (e instanceof Expr.Select s) {
            Reg p = Values.truth(b, emit(s.cond()));
            Value x = emitAs(s.a(), s.dtype());
            Value y = emitAs(s.b(), s.dtype());
            Reg r = b.reg(Values.regClass(s.dtype()));
            b.op("selp." + (Values.regClass(s.dtype()) == RegClass.R64 ? "b64"
                    : Values.ptxType(s.dtype())), r, x.reg(), y.reg(), p);
            return new Value(r, s.dtype());
        }
        Value r = reduced.get(e);
        if (r == null) throw new IllegalStateException("reduction " + e + " used before it was computed");
        return r;
    }

    private Value extent(Expr.Extent x) {
        if (extent == null) throw new UnsupportedKernelException("Extent in a kernel without a reduction axis");
        Reg f = b.reg(RegClass.F64);
        if (extent instanceof Long n) b.op("mov.f64", f, n.doubleValue());
        else b.op("cvt.rn.f64.u32", f, extent);
        return new Value(f, DType.FLOAT64); // exact; emit() rounds it to the node's dtype
    }

    private Value unary(Expr.Unary u) {
        DType t = u.dtype();
        Value a = u.a() instanceof Expr.Const ? emitAs(u.a(), t) : emit(u.a());
        switch (u.op()) {
            case CAST -> {
                return u.a() instanceof Expr.Const ? emitAs(u.a(), t) : a; // emit() converts to the node's dtype
            }
            case NOT -> {
                Reg p = Values.truth(b, a);
                Reg q = b.pred();
                b.op("not.pred", q, p);
                return Values.fromPredicate(b, q);
            }
            default -> { }
        }
        if (t == DType.FLOAT32 || t == DType.BOOL) {
            Reg x = Values.convert(b, a, DType.FLOAT32).reg();
            return new Value(f32Unary(u, x), DType.FLOAT32);
        }
        Value x = Values.convert(b, a, t);
        String ty = Values.ptxType(t);
        Reg r = b.reg(Values.regClass(t));
        boolean f64 = t == DType.FLOAT64;
        switch (u.op()) {
            case NEG -> b.op("neg." + ty, r, x.reg());
            case ABS -> b.op("abs." + ty, r, x.reg());
            case RELU -> {
                if (!f64) {
                    b.op("max.s64", r, x.reg(), 0L);
                } else { // max(x, 0) with NaN kept: x > 0 or NaN ? x : 0
                    Reg keep = b.pred();
                    b.op("setp.gtu.f64", keep, x.reg(), 0.0);
                    b.op("selp.f64", r, x.reg(), 0.0, keep);
                }
            }
            case SQRT -> f64Only(u, f64, () -> b.op("sqrt.rn.f64", r, x.reg()));
            case RECIPROCAL -> f64Only(u, f64, () -> b.op("rcp.rn.f64", r, x.reg()));
            case RSQRT -> f64Only(u, f64, () -> {
                Reg s = b.reg(RegClass.F64);
                b.op("sqrt.rn.f64", s, x.reg());
                b.op("rcp.rn.f64", r, s);
            });
            default -> throw unsupported(u.op().name(), t);
        }
        return new Value(r, t);
    }

    private void f64Only(Expr.Unary u, boolean f64, Runnable emit) {
        if (!f64) throw unsupported(u.op().name(), u.dtype());
        emit.run();
    }

    private Reg f32Unary(Expr.Unary u, Reg x) {
        return switch (u.op()) {
            case ABS -> alu(ScalarOp.ABS, x);
            case NEG -> alu(ScalarOp.NEG, x);
            case EXP -> alu(ScalarOp.EXP, x);
            case LOG -> alu(ScalarOp.LOG, x);
            case SQRT -> alu(ScalarOp.SQRT, x);
            case RSQRT -> alu(ScalarOp.RSQRT, x);
            case SIN -> alu(ScalarOp.SIN, x);
            case COS -> alu(ScalarOp.COS, x);
            case RECIPROCAL -> alu(ScalarOp.RECIP, x);
            case SIGMOID -> alu(ScalarOp.SIGMOID, x);
            case TANH -> alu(ScalarOp.TANH, x);
            case RELU -> alu(ScalarOp.RELU, x);
            case GELU -> alu(ScalarOp.GELU, x);
            case GELU_TANH -> alu(ScalarOp.GELU_TANH, x);
            case SILU -> alu(ScalarOp.SILU, x);
            case ELU -> alu(ScalarOp.ELU, x, f32(u.param()));
            case LEAKY_RELU -> alu(ScalarOp.LEAKY_RELU, x, f32(u.param()));
            case SOFTPLUS -> alu(ScalarOp.SOFTPLUS, x, f32(u.param()), f32(u.param2()));
            case NOT, CAST -> throw new IllegalStateException("handled before: " + u.op());
        };
    }

    private Value binary(Expr.Binary e) {
        DType ct = e.computeType();
        // pow with a small constant exponent is exact as multiplications, sqrt or a reciprocal (as ExprEmitter does)
        if (e.op() == Expr.BinaryOp.POW && ct == DType.FLOAT32 && e.b() instanceof Expr.Const c) {
            Reg x = Values.convert(b, emit(e.a()), ct).reg();
            double y = c.value();
            if (y == 1) return new Value(x, ct);
            if (y == 2) return new Value(alu(ScalarOp.MUL, x, x), ct);
            if (y == 3) return new Value(alu(ScalarOp.MUL, alu(ScalarOp.MUL, x, x), x), ct);
            if (y == 0.5) return new Value(alu(ScalarOp.SQRT, x), ct);
            if (y == -1) return new Value(alu(ScalarOp.RECIP, x), ct);
        }
        Value x = emitAs(e.a(), ct);
        Value y = emitAs(e.b(), ct);
        if (ct == DType.FLOAT32 || ct == DType.BOOL) {
            ScalarOp op = ScalarOp.valueOf(e.op().name()); // the binary ops share their names
            Reg r = PtxAluTable.emit(b, op, x.reg(), y.reg());
            return new Value(r, isComparison(e.op()) || e.op() == Expr.BinaryOp.AND || e.op() == Expr.BinaryOp.OR
                    ? DType.BOOL : DType.FLOAT32);
        }
        boolean f64 = ct == DType.FLOAT64;
        String ty = Values.ptxType(ct);
        if (isComparison(e.op())) {
            String cmp = switch (e.op()) {
                case EQ -> "eq";
                case NE -> f64 ? "neu" : "ne";
                case LT -> "lt";
                case LE -> "le";
                case GT -> "gt";
                default -> "ge";
            };
            Reg p = b.pred();
            b.op("setp." + cmp + "." + ty, p, x.reg(), y.reg());
            return Values.fromPredicate(b, p);
        }
        if (e.op() == Expr.BinaryOp.AND || e.op() == Expr.BinaryOp.OR) {
            Reg p = Values.truth(b, x);
            Reg q = Values.truth(b, y);
            Reg r = b.pred();
            b.op(e.op() == Expr.BinaryOp.AND ? "and.pred" : "or.pred", r, p, q);
            return Values.fromPredicate(b, r);
        }
        Reg r = b.reg(Values.regClass(ct));
        switch (e.op()) {
            case ADD -> b.op(f64 ? "add.rn.f64" : "add.s64", r, x.reg(), y.reg());
            case SUB -> b.op(f64 ? "sub.rn.f64" : "sub.s64", r, x.reg(), y.reg());
            case MUL -> b.op(f64 ? "mul.rn.f64" : "mul.lo.s64", r, x.reg(), y.reg());
            case DIV -> {
                if (!f64) throw unsupported("DIV (true division computed in an integer type)", ct);
                b.op("div.rn.f64", r, x.reg(), y.reg());
            }
            case MAX, MIN -> {
                String m = e.op() == Expr.BinaryOp.MAX ? "max." : "min.";
                b.op(m + ty, r, x.reg(), y.reg());
                if (f64) { // max.f64 drops a NaN operand; PyTorch propagates it (x + y is NaN then)
                    Reg nan = b.pred();
                    b.op("setp.nan.f64", nan, x.reg(), y.reg());
                    Reg sum = b.reg(RegClass.F64);
                    b.op("add.rn.f64", sum, x.reg(), y.reg());
                    b.op("selp.f64", r, sum, r, nan);
                }
            }
            case FLOOR_DIV, TRUNC_DIV -> {
                boolean floor = e.op() == Expr.BinaryOp.FLOOR_DIV;
                if (f64) {
                    b.op("div.rn.f64", r, x.reg(), y.reg());
                    b.op(floor ? "cvt.rmi.f64.f64" : "cvt.rzi.f64.f64", r, r);
                } else {
                    b.op("div.s64", r, x.reg(), y.reg()); // truncates toward zero
                    if (floor) integerFloorAdjust(r, x.reg(), y.reg());
                }
            }
            default -> throw unsupported(e.op().name(), ct);
        }
        return new Value(r, ct);
    }

    // floor(x / y) = trunc - 1 when the remainder is non-zero and has the sign opposite to y.
    private void integerFloorAdjust(Reg q, Reg x, Reg y) {
        Reg rem = b.r64();
        b.op("rem.s64", rem, x, y);
        Reg signs = b.r64();
        b.op("xor.b64", signs, rem, y);
        Reg nonZero = b.pred();
        b.op("setp.ne.s64", nonZero, rem, 0L);
        Reg adjust = b.pred();
        b.op("setp.lt.and.s64", adjust, signs, 0L, nonZero);
        Reg q1 = b.r64();
        b.op("sub.s64", q1, q, 1L);
        b.op("selp.b64", q, q1, q, adjust);
    }

    private static boolean isComparison(Expr.BinaryOp op) {
        return switch (op) {
            case EQ, NE, LT, LE, GT, GE -> true;
            default -> false;
        };
    }

    private Reg f32(double v) {
        Reg r = b.f32();
        b.op("mov.f32", r, (float) v);
        return r;
    }

    private Reg alu(ScalarOp op, Reg... args) { return PtxAluTable.emit(b, op, args); }

    private static UnsupportedKernelException unsupported(String op, DType t) {
        return new UnsupportedKernelException("PTX renderer: no lowering for kernel IR op " + op + " computed in "
                + t.irName());
    }
}
