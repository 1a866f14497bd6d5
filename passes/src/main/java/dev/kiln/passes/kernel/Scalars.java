package dev.kiln.passes.kernel;

import dev.kiln.eager.kernels.Erf;

/** The scalar semantics of the kernel IR's unary and binary ops, in double precision (PyTorch's definitions). */
final class Scalars {
    private Scalars() {}

    static double unary(Expr.UnaryOp op, double x, double p, double p2) {
        return switch (op) {
            case ABS -> Math.abs(x);
            case NEG -> -x;
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case SQRT -> Math.sqrt(x);
            case RSQRT -> 1 / Math.sqrt(x);
            case SIN -> Math.sin(x);
            case COS -> Math.cos(x);
            case RECIPROCAL -> 1 / x;
            case NOT -> x == 0 ? 1 : 0;
            case SIGMOID -> 1 / (1 + Math.exp(-x));
            case TANH -> Math.tanh(x);
            case RELU -> Double.isNaN(x) ? x : Math.max(x, 0);
            case GELU -> 0.5 * x * Erf.erfc(-x / Math.sqrt(2)); // erfc keeps accuracy for x << 0
            case GELU_TANH -> 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
            case SILU -> x / (1 + Math.exp(-x));
            case ELU -> x > 0 ? x : p * Math.expm1(x);
            case LEAKY_RELU -> x > 0 ? x : x * p;
            case SOFTPLUS -> x * p > p2 ? x : Math.log1p(Math.exp(x * p)) / p;
            case CAST -> x;
        };
    }

    static double binary(Expr.BinaryOp op, double a, double b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case FLOOR_DIV -> Math.floor(a / b);
            case TRUNC_DIV -> a / b < 0 ? Math.ceil(a / b) : Math.floor(a / b);
            case POW -> Math.pow(a, b);
            case MAX -> Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.max(a, b);
            case MIN -> Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.min(a, b);
            case EQ -> a == b ? 1 : 0;
            case NE -> a != b ? 1 : 0;
            case LT -> a < b ? 1 : 0;
            case LE -> a <= b ? 1 : 0;
            case GT -> a > b ? 1 : 0;
            case GE -> a >= b ? 1 : 0;
            case AND -> a != 0 && b != 0 ? 1 : 0;
            case OR -> a != 0 || b != 0 ? 1 : 0;
        };
    }
}
