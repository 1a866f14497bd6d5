package dev.kiln.codegen.ptx.alu;

/**
 * The scalar functions a generated kernel computes per element, all on {@code f32} values.
 *
 * <p>Booleans are {@code 1.0f}/{@code 0.0f}; an operand is "true" when it is not equal to zero, NaN included
 * (as in PyTorch, where NaN is truthy). Composite ATen ops with attributes ({@code leaky_relu},
 * {@code hardtanh}, {@code clamp}, {@code softplus}, {@code elu}) are expressed by the callers with these ops and
 * constants, so this set stays small and every member has exactly one PTX lowering in {@link PtxAluTable}.
 */
public enum ScalarOp {
    ADD(2), SUB(2), MUL(2), DIV(2),
    /** NaN-propagating, as {@code torch.maximum}. */
    MAX(2),
    /** NaN-propagating, as {@code torch.minimum}. */
    MIN(2),
    POW(2),
    LT(2), LE(2), GT(2), GE(2), EQ(2), NE(2), AND(2), OR(2),
    /** {@code where(cond, a, b)}. */
    WHERE(3),
    NEG(1), ABS(1), EXP(1), LOG(1), SQRT(1), RSQRT(1), RECIP(1), SIN(1), COS(1), TANH(1), SIGMOID(1),
    RELU(1), SILU(1), ERF(1),
    /** {@code gelu(x, approximate='none')}: {@code x/2 (1 + erf(x/sqrt 2))}. */
    GELU(1),
    /** {@code gelu(x, approximate='tanh')}. */
    GELU_TANH(1),
    NOT(1);

    private final int arity;

    ScalarOp(int arity) { this.arity = arity; }

    public int arity() { return arity; }
}
