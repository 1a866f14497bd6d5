package dev.kiln.eager.autograd;

import dev.kiln.eager.Tensor;

/**
 * The backward rule of one op: from the gradients of its outputs, the gradients of its inputs (vector-Jacobian
 * products), written with ordinary tensor ops.
 *
 * <p>Protocol: return one entry per input; an entry may be null when {@link GradContext#needs(int)} is false or
 * the input is not differentiable (indices, masks). A non-null entry may have any dtype (the engine converts it)
 * but must have the input's shape: formulas undo broadcasting themselves ({@link Grads#sumToShape}).
 */
@FunctionalInterface
public interface GradientFormula {
    Tensor[] apply(GradContext ctx);
}
