package dev.kiln.passes.kernel;

import dev.kiln.ir.DType;
import java.util.Objects;

/**
 * A node of a kernel's scalar expression DAG (shared sub-expressions are shared objects). Every node has the dtype
 * of its value; the interpreter computes in double and rounds each result to its dtype, as the eager kernels
 * compute each op in its result dtype.
 *
 * <p>The records write out equals and hashCode (component-wise, as the generated ones): the generated ones link an
 * invokedynamic call site on first use, which a cold JVM lowering an archive's kernels pays for (docs/runtime.md,
 * "Fast start").
 */
public sealed interface Expr permits Expr.Load, Expr.Const, Expr.Extent, Expr.Unary, Expr.Binary, Expr.Select,
        Expr.Reduce {

    DType dtype();

    /** The value of kernel operand {@code operand} at the current point (broadcast per its {@link Operand}). */
    record Load(int operand, DType dtype) implements Expr {
        @Override
        public boolean equals(Object o) { return o instanceof Load l && operand == l.operand && dtype == l.dtype; }

        @Override
        public int hashCode() { return 31 * operand + dtype.hashCode(); }
    }

    /** A scalar constant. */
    record Const(double value, DType dtype) implements Expr {
        @Override
        public boolean equals(Object o) {
            return o instanceof Const c && Double.compare(value, c.value) == 0 && dtype == c.dtype;
        }

        @Override
        public int hashCode() { return 31 * Double.hashCode(value) + dtype.hashCode(); }
    }

    /** The number of points along the reduction axis (for means and layer norm). */
    record Extent(DType dtype) implements Expr {
        @Override
        public boolean equals(Object o) { return o instanceof Extent e && dtype == e.dtype; }

        @Override
        public int hashCode() { return dtype.hashCode(); }
    }

    /**
     * {@code op(a)} in {@code dtype}; {@code param} carries an op constant (elu alpha, leaky slope, softplus beta;
     * {@code param2} the softplus threshold).
     */
    record Unary(UnaryOp op, Expr a, double param, double param2, DType dtype) implements Expr {
        public Unary {
            Objects.requireNonNull(a);
        }

        public Unary(UnaryOp op, Expr a, DType dtype) { this(op, a, 0, 0, dtype); }

        @Override
        public boolean equals(Object o) {
            return o instanceof Unary u && op == u.op && dtype == u.dtype && Double.compare(param, u.param) == 0
                    && Double.compare(param2, u.param2) == 0 && a.equals(u.a);
        }

        @Override
        public int hashCode() {
            return Objects.hash(op, a, Double.hashCode(param), Double.hashCode(param2), dtype);
        }
    }

    /** {@code op(a, b)} computed in {@code computeType} (the operands are converted to it first), as ATen does. */
    record Binary(BinaryOp op, Expr a, Expr b, DType computeType, DType dtype) implements Expr {
        @Override
        public boolean equals(Object o) {
            return o instanceof Binary x && op == x.op && computeType == x.computeType && dtype == x.dtype
                    && Objects.equals(a, x.a) && Objects.equals(b, x.b);
        }

        @Override
        public int hashCode() { return Objects.hash(op, a, b, computeType, dtype); }
    }

    /** {@code cond ? a : b}. */
    record Select(Expr cond, Expr a, Expr b, DType dtype) implements Expr {
        @Override
        public boolean equals(Object o) {
            return o instanceof Select s && dtype == s.dtype && Objects.equals(cond, s.cond) && Objects.equals(a, s.a)
                    && Objects.equals(b, s.b);
        }

        @Override
        public int hashCode() { return Objects.hash(cond, a, b, dtype); }
    }

    /** {@code op} over the reduction axis of {@code body}, at the current outer point. */
    record Reduce(ReduceOp op, Expr body, DType dtype) implements Expr {
        @Override
        public boolean equals(Object o) {
            return o instanceof Reduce r && op == r.op && dtype == r.dtype && Objects.equals(body, r.body);
        }

        @Override
        public int hashCode() { return Objects.hash(op, body, dtype); }
    }

    enum UnaryOp { ABS, NEG, EXP, LOG, SQRT, RSQRT, SIN, COS, RECIPROCAL, NOT, SIGMOID, TANH, RELU, GELU, GELU_TANH,
        SILU, ELU, LEAKY_RELU, SOFTPLUS, CAST }

    enum BinaryOp { ADD, SUB, MUL, DIV, FLOOR_DIV, TRUNC_DIV, POW, MAX, MIN, EQ, NE, LT, LE, GT, GE, AND, OR }

    enum ReduceOp { SUM, MAX }
}
