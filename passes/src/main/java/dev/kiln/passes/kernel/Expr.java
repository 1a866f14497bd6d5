package dev.kiln.passes.kernel;

import dev.kiln.ir.DType;
import java.util.Objects;

/**
 * A node of a kernel's scalar expression DAG (shared sub-expressions are shared objects). Every node has the dtype
 * of its value; the interpreter computes in double and rounds each result to its dtype, as the eager kernels
 * compute each op in its result dtype.
 */
public sealed interface Expr permits Expr.Load, Expr.Const, Expr.Extent, Expr.Unary, Expr.Binary, Expr.Select,
        Expr.Reduce {

    DType dtype();

    /** The value of kernel operand {@code operand} at the current point (broadcast per its {@link Operand}). */
    record Load(int operand, DType dtype) implements Expr {
    }

    /** A scalar constant. */
    record Const(double value, DType dtype) implements Expr {
    }

    /** The number of points along the reduction axis (for means and layer norm). */
    record Extent(DType dtype) implements Expr {
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
    }

    /** {@code op(a, b)} computed in {@code computeType} (the operands are converted to it first), as ATen does. */
    record Binary(BinaryOp op, Expr a, Expr b, DType computeType, DType dtype) implements Expr {
    }

    /** {@code cond ? a : b}. */
    record Select(Expr cond, Expr a, Expr b, DType dtype) implements Expr {
    }

    /** {@code op} over the reduction axis of {@code body}, at the current outer point. */
    record Reduce(ReduceOp op, Expr body, DType dtype) implements Expr {
    }

    enum UnaryOp { ABS, NEG, EXP, LOG, SQRT, RSQRT, SIN, COS, RECIPROCAL, NOT, SIGMOID, TANH, RELU, GELU, GELU_TANH,
        SILU, ELU, LEAKY_RELU, SOFTPLUS, CAST }

    enum BinaryOp { ADD, SUB, MUL, DIV, FLOOR_DIV, TRUNC_DIV, POW, MAX, MIN, EQ, NE, LT, LE, GT, GE, AND, OR }

    enum ReduceOp { SUM, MAX }
}
