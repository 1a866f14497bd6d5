package dev.kiln.codegen.jvm;

import static org.objectweb.asm.Opcodes.*;

import dev.kiln.ir.DType;
import dev.kiln.passes.kernel.Expr;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.IntUnaryOperator;
import org.objectweb.asm.MethodVisitor;

/**
 * Emits the value of a kernel-IR expression for {@code VectorMath32.LANES} consecutive points at once, as Vector
 * API calls ({@code jdk.incubator.vector}): float32 values are {@code FloatVector}s, bool values
 * {@code VectorMask<Float>}s, both held in JVM locals (one per node, computed once per loop iteration); FULL operands
 * are loaded at index {@code i}, ROW operands at {@code i - base}, SCALAR operands and constants broadcast (C2 hoists
 * broadcasts out of the loop). Transcendentals are {@code VectorMath32}'s, inlined as bytecode by
 * {@link VectorMathInliner}. Which nodes can be emitted is decided by {@link #unsupported}, which {@link LoopPlan}
 * consults before choosing the vector shape.
 */
final class VectorExprEmitter {
    static final String FV = "jdk/incubator/vector/FloatVector";
    static final String VM = "jdk/incubator/vector/VectorMask";
    static final String VS = "jdk/incubator/vector/VectorSpecies";
    static final String VOPS = "jdk/incubator/vector/VectorOperators";
    static final String V = "jdk/incubator/vector/Vector";
    private static final String L_FV = "L" + FV + ";";
    private static final String L_VM = "L" + VM + ";";
    private static final String L_VS = "L" + VS + ";";
    private static final String L_V = "L" + V + ";";
    private static final String L_CMP = "L" + VOPS + "$Comparison;";

    private final LoopPlan plan;
    private final MethodVisitor mv;
    private final IntUnaryOperator alloc;
    private final int[] arrayLocal;
    private final int[] scalarLocal;
    private final int index;
    private final int rowIndex;
    private final Map<Expr, Integer> cache = new IdentityHashMap<>();

    /**
     * @param index    local holding the flat point index {@code i} of the first lane
     * @param rowIndex local holding {@code i - base} (the ROW operands' index), or -1 without ROW operands
     */
    VectorExprEmitter(LoopPlan plan, MethodVisitor mv, IntUnaryOperator alloc, int[] arrayLocal, int[] scalarLocal,
                      int index, int rowIndex) {
        this.plan = plan;
        this.mv = mv;
        this.alloc = alloc;
        this.arrayLocal = arrayLocal;
        this.scalarLocal = scalarLocal;
        this.index = index;
        this.rowIndex = rowIndex;
    }

    /** Why {@code e} has no vector lowering, or null when it has one. */
    static String unsupported(Expr e) {
        if (e instanceof Expr.Unary u) {
            return switch (u.op()) {
                case SIN, COS, SOFTPLUS -> u.op().name().toLowerCase() + " has no vector lowering";
                default -> null;
            };
        }
        if (e instanceof Expr.Binary b && b.computeType() == DType.FLOAT32) {
            return switch (b.op()) {
                case FLOOR_DIV, TRUNC_DIV, POW -> b.op().name().toLowerCase() + " has no vector lowering";
                default -> null;
            };
        }
        return null;
    }

    /** Stores the vector of store value {@code e} into {@code out[i ..]}. */
    void store(Expr e, int outLocal) {
        value(e);
        toFloat(LoopPlan.jvm(e));
        mv.visitVarInsn(ALOAD, outLocal);
        mv.visitVarInsn(ILOAD, index);
        mv.visitMethodInsn(INVOKEVIRTUAL, FV, "intoArray", "([FI)V", false);
    }

    private static boolean isBool(Expr e) { return LoopPlan.jvm(e) == DType.BOOL; }

    private void species() {
        mv.visitFieldInsn(GETSTATIC, VectorMathInliner.OWNER, "SPECIES", L_VS);
    }

    /** Pushes the vector (FloatVector, or VectorMask for bool) of {@code e}. */
    private void value(Expr e) {
        Integer cached = cache.get(e);
        if (cached != null) {
            mv.visitVarInsn(ALOAD, cached);
            return;
        }
        if (e instanceof Expr.Const c) {
            if (isBool(e)) maskAll(() -> mv.visitInsn(c.value() != 0 ? ICONST_1 : ICONST_0));
            else broadcast((float) c.value());
            return;
        }
        if (e instanceof Expr.Load l) {
            int i = l.operand();
            boolean b = isBool(e);
            if (plan.access[i] == LoopPlan.Access.SCALAR) {
                if (b) maskAll(() -> mv.visitVarInsn(ILOAD, scalarLocal[i]));
                else {
                    species();
                    mv.visitVarInsn(FLOAD, scalarLocal[i]);
                    mv.visitMethodInsn(INVOKESTATIC, FV, "broadcast", "(" + L_VS + "F)" + L_FV, false);
                }
            } else {
                species();
                mv.visitVarInsn(ALOAD, arrayLocal[i]);
                mv.visitVarInsn(ILOAD, plan.access[i] == LoopPlan.Access.ROW ? rowIndex : index);
                if (b) mv.visitMethodInsn(INVOKESTATIC, VM, "fromArray", "(" + L_VS + "[ZI)" + L_VM, false);
                else mv.visitMethodInsn(INVOKESTATIC, FV, "fromArray", "(" + L_VS + "[FI)" + L_FV, false);
            }
            cacheTop(e);
            return;
        }
        if (e instanceof Expr.Unary u) unary(u);
        else if (e instanceof Expr.Binary b) binary(b);
        else if (e instanceof Expr.Select s) select(s);
        else throw new UnsupportedOperationException("no vector lowering for " + e.getClass().getSimpleName());
        cacheTop(e);
    }

    private void cacheTop(Expr e) {
        int l = alloc.applyAsInt(1);
        mv.visitInsn(DUP);
        mv.visitVarInsn(ASTORE, l);
        cache.put(e, l);
    }

    private void broadcast(float v) {
        species();
        mv.visitLdcInsn(v);
        mv.visitMethodInsn(INVOKESTATIC, FV, "broadcast", "(" + L_VS + "F)" + L_FV, false);
    }

    private void maskAll(Runnable pushBoolean) {
        species();
        pushBoolean.run();
        mv.visitMethodInsn(INVOKEINTERFACE, VS, "maskAll", "(Z)" + L_VM, true);
    }

    /** The value of {@code e} converted to a FloatVector (bool → 0/1). */
    private void floatValue(Expr e) {
        value(e);
        toFloat(LoopPlan.jvm(e));
    }

    /** The value of {@code e} converted to a mask (float → != 0). */
    private void maskValue(Expr e) {
        value(e);
        if (!isBool(e)) nonzero();
    }

    /** Mask on the stack → FloatVector 1 where set, 0 elsewhere. */
    private void toFloat(DType from) {
        if (from != DType.BOOL) return;
        int m = alloc.applyAsInt(1);
        mv.visitVarInsn(ASTORE, m);
        species();
        mv.visitMethodInsn(INVOKESTATIC, FV, "zero", "(" + L_VS + ")" + L_FV, false);
        mv.visitInsn(FCONST_1);
        mv.visitVarInsn(ALOAD, m);
        mv.visitMethodInsn(INVOKEVIRTUAL, FV, "blend", "(F" + L_VM + ")" + L_FV, false);
    }

    /** FloatVector on the stack → mask of lanes != 0 (NaN counts as true, as {@code x != 0}). */
    private void nonzero() {
        mv.visitFieldInsn(GETSTATIC, VOPS, "NE", L_CMP);
        mv.visitInsn(FCONST_0);
        mv.visitMethodInsn(INVOKEVIRTUAL, FV, "compare", "(" + L_CMP + "F)" + L_VM, false);
    }

    private void fv(String name, String desc) { mv.visitMethodInsn(INVOKEVIRTUAL, FV, name, desc, false); }

    private void vm(String name, String desc) { mv.visitMethodInsn(INVOKEVIRTUAL, VM, name, desc, false); }

    private void math(String name) {
        VectorMathInliner.inline(mv, name, "(" + L_FV + ")" + L_FV, alloc);
    }

    private void unary(Expr.Unary u) {
        switch (u.op()) {
            case CAST -> {
                if (isBool(u)) maskValue(u.a());
                else floatValue(u.a());
                return;
            }
            case NOT -> {
                maskValue(u.a());
                vm("not", "()" + L_VM);
                if (!isBool(u)) toFloat(DType.BOOL);
                return;
            }
            default -> floatValue(u.a());
        }
        switch (u.op()) {
            case ABS -> fv("abs", "()" + L_FV);
            case NEG -> fv("neg", "()" + L_FV);
            case SQRT -> fv("sqrt", "()" + L_FV); // correctly rounded, as (float) Math.sqrt(double)
            case RSQRT -> { // 1 / sqrt in float: one more rounding than the scalar path's double (≤ 1 ulp apart)
                fv("sqrt", "()" + L_FV);
                reciprocal();
            }
            case RECIPROCAL -> reciprocal();
            case RELU -> {
                mv.visitInsn(FCONST_0);
                fv("max", "(F)" + L_FV);
            }
            // exp of -(a·a), (-a)·a, -|a|: VectorMath32.expNonPositive, bit-identical to exp there but cheaper
            case EXP -> math(nonPositive(u.a()) ? "expNonPositive" : "exp");
            case TANH, SIGMOID, SILU, GELU, GELU_TANH, LOG -> math(LoopEmitter.helperName(u.op()));
            case ELU -> { // x > 0 ? x : alpha * expm1(x)
                int x = alloc.applyAsInt(1);
                mv.visitVarInsn(ASTORE, x);
                mv.visitVarInsn(ALOAD, x);
                math("expm1");
                mv.visitLdcInsn((float) u.param());
                fv("mul", "(F)" + L_FV);
                positiveKeepsX(x);
            }
            case LEAKY_RELU -> { // x > 0 ? x : x * slope
                int x = alloc.applyAsInt(1);
                mv.visitVarInsn(ASTORE, x);
                mv.visitVarInsn(ALOAD, x);
                mv.visitLdcInsn((float) u.param());
                fv("mul", "(F)" + L_FV);
                positiveKeepsX(x);
            }
            default -> throw new UnsupportedOperationException("no vector lowering for unary " + u.op());
        }
        if (isBool(u)) nonzero();
    }

    /** FloatVector v on the stack → {@code x > 0 ? x : v} lane-wise (x in local {@code x}). */
    private void positiveKeepsX(int x) {
        mv.visitVarInsn(ALOAD, x);
        mv.visitVarInsn(ALOAD, x);
        mv.visitFieldInsn(GETSTATIC, VOPS, "GT", L_CMP);
        mv.visitInsn(FCONST_0);
        mv.visitMethodInsn(INVOKEVIRTUAL, FV, "compare", "(" + L_CMP + "F)" + L_VM, false);
        fv("blend", "(" + L_V + L_VM + ")" + L_FV);
    }

    /** FloatVector v on the stack → 1 / v. */
    private void reciprocal() {
        int v = alloc.applyAsInt(1);
        mv.visitVarInsn(ASTORE, v);
        broadcast(1f);
        mv.visitVarInsn(ALOAD, v);
        fv("div", "(" + L_V + ")" + L_FV);
    }

    /**
     * Whether float32 {@code e} is ≤ 0 or NaN by its form alone: {@code -(a·a)}, {@code (-a)·a}, {@code a·(-a)}
     * (one rounding of the exact square, negated: never positive) or {@code -|a|}.
     */
    static boolean nonPositive(Expr e) {
        if (LoopPlan.jvm(e) != DType.FLOAT32) return false;
        if (e instanceof Expr.Unary n && n.op() == Expr.UnaryOp.NEG) {
            if (n.a() instanceof Expr.Unary a && a.op() == Expr.UnaryOp.ABS) return LoopPlan.jvm(a.a()) == DType.FLOAT32;
            return square(n.a());
        }
        if (e instanceof Expr.Binary m && m.op() == Expr.BinaryOp.MUL && m.computeType() == DType.FLOAT32) {
            if (m.a() instanceof Expr.Unary n && n.op() == Expr.UnaryOp.NEG && n.a().equals(m.b())) return true;
            return m.b() instanceof Expr.Unary n && n.op() == Expr.UnaryOp.NEG && n.a().equals(m.a());
        }
        return false;
    }

    /**
     * {@code a} of a float32 {@code (-a)·a} or {@code a·(-a)}, else null. Round-to-nearest is symmetric, so
     * {@code -(a·a)} has the same bits (NaN's sign aside).
     */
    private static Expr negatedSquare(Expr.Binary m) {
        if (m.op() != Expr.BinaryOp.MUL || isBool(m.a()) || isBool(m.b())) return null;
        if (m.a() instanceof Expr.Unary n && n.op() == Expr.UnaryOp.NEG && n.a().equals(m.b())) return m.b();
        if (m.b() instanceof Expr.Unary n && n.op() == Expr.UnaryOp.NEG && n.a().equals(m.a())) return m.a();
        return null;
    }

    /** {@code a·a} in float32 (same operand both sides). */
    private static boolean square(Expr e) {
        return e instanceof Expr.Binary m && m.op() == Expr.BinaryOp.MUL && m.computeType() == DType.FLOAT32
                && m.a().equals(m.b());
    }

    /**
     * The float constant {@code c} of {@code max(x, c)} / {@code min(x, c)} when it is nonzero and not NaN, else
     * null. Then {@code x < c ? c : x} (max) and {@code x > c ? c : x} (min) equal Java's {@code Math.max/min} (the
     * scalar loops') for every x, NaN included: they differ only in the order of ±0, which a nonzero c never meets.
     */
    private static Float blendBound(Expr.Binary b) {
        if ((b.op() != Expr.BinaryOp.MAX && b.op() != Expr.BinaryOp.MIN) || !(b.b() instanceof Expr.Const c)
                || isBool(b.a())) return null;
        float v = (float) c.value();
        return v == 0f || Float.isNaN(v) ? null : v;
    }

    private void binary(Expr.Binary b) {
        DType ct = b.computeType();
        Expr squared = ct == DType.FLOAT32 ? negatedSquare(b) : null;
        if (squared != null) { // (-a)·a as -(a·a): the same value, and C2 shares a·a with any other a·a in the loop
            floatValue(new Expr.Binary(Expr.BinaryOp.MUL, squared, squared, ct, ct));
            fv("neg", "()" + L_FV);
            if (isBool(b)) nonzero();
            return;
        }
        Float bound = ct == DType.FLOAT32 ? blendBound(b) : null;
        if (bound != null) { // compare + blend: lane-wise MAX/MIN with Java's NaN/±0 rules cost C2 more on x86
            floatValue(b.a());
            int x = alloc.applyAsInt(1);
            mv.visitVarInsn(ASTORE, x);
            mv.visitVarInsn(ALOAD, x);
            mv.visitLdcInsn(bound);
            mv.visitVarInsn(ALOAD, x);
            mv.visitFieldInsn(GETSTATIC, VOPS, b.op() == Expr.BinaryOp.MAX ? "LT" : "GT", L_CMP);
            mv.visitLdcInsn(bound);
            fv("compare", "(" + L_CMP + "F)" + L_VM);
            fv("blend", "(F" + L_VM + ")" + L_FV);
            if (isBool(b)) nonzero();
            return;
        }
        if (ct == DType.FLOAT32) {
            switch (b.op()) {
                case AND, OR -> { // on floats: (a != 0) op (b != 0)
                    maskValue(b.a());
                    maskValue(b.b());
                    vm(b.op() == Expr.BinaryOp.AND ? "and" : "or", "(" + L_VM + ")" + L_VM);
                    if (!isBool(b)) toFloat(DType.BOOL);
                    return;
                }
                default -> { }
            }
            floatValue(b.a());
            floatValue(b.b());
            String cmp = switch (b.op()) {
                case EQ, NE, LT, LE, GT, GE -> b.op().name();
                default -> null;
            };
            if (cmp != null) {
                int rhs = alloc.applyAsInt(1);
                mv.visitVarInsn(ASTORE, rhs);
                mv.visitFieldInsn(GETSTATIC, VOPS, cmp, L_CMP);
                mv.visitVarInsn(ALOAD, rhs);
                fv("compare", "(" + L_CMP + L_V + ")" + L_VM);
                if (!isBool(b)) toFloat(DType.BOOL);
                return;
            }
            String name = switch (b.op()) {
                case ADD -> "add";
                case SUB -> "sub";
                case MUL -> "mul";
                case DIV -> "div";
                case MAX -> "max";
                case MIN -> "min";
                default -> throw new UnsupportedOperationException("no vector lowering for " + b.op());
            };
            fv(name, "(" + L_V + ")" + L_FV);
            if (isBool(b)) nonzero();
        } else {
            maskValue(b.a());
            maskValue(b.b());
            switch (b.op()) {
                case AND, MUL, MIN -> vm("and", "(" + L_VM + ")" + L_VM);
                case OR, MAX -> vm("or", "(" + L_VM + ")" + L_VM);
                case EQ -> vm("eq", "(" + L_VM + ")" + L_VM);
                case NE -> {
                    vm("eq", "(" + L_VM + ")" + L_VM);
                    vm("not", "()" + L_VM);
                }
                default -> throw new UnsupportedOperationException("no vector lowering for bool " + b.op());
            }
            if (!isBool(b)) toFloat(DType.BOOL);
        }
    }

    /** {@code cond ? a : b} lane-wise; both arms are computed (they are plain values, no side effects). */
    private void select(Expr.Select s) {
        if (isBool(s)) { // (a & c) | (b & ~c)
            maskValue(s.a());
            maskValue(s.cond());
            vm("and", "(" + L_VM + ")" + L_VM);
            maskValue(s.b());
            maskValue(s.cond());
            vm("andNot", "(" + L_VM + ")" + L_VM);
            vm("or", "(" + L_VM + ")" + L_VM);
        } else { // b.blend(a, c): lanes of a where c is set
            floatValue(s.b());
            floatValue(s.a());
            maskValue(s.cond());
            fv("blend", "(" + L_V + L_VM + ")" + L_FV);
        }
    }
}
