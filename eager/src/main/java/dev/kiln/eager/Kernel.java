package dev.kiln.eager;

import dev.kiln.ir.Attrs;

/**
 * The CPU implementation of one op.
 *
 * <p>Protocol: the dispatcher has already checked the number of inputs against the op's schema and filled in
 * attribute defaults. Optional tensor inputs that the caller left out are {@code null}. A kernel validates
 * shapes and dtypes itself and throws {@link KilnException} naming the op, the argument, what it expected and
 * what it found. It never modifies its inputs (ops are functional); outputs are fresh tensors or, for ops with
 * the {@code VIEW} trait, views of their first input.
 */
@FunctionalInterface
public interface Kernel {
    Tensor[] apply(Tensor[] inputs, Attrs attrs);

    /** Adapts a kernel with exactly one output. */
    interface Single extends Kernel {
        Tensor apply1(Tensor[] inputs, Attrs attrs);

        @Override
        default Tensor[] apply(Tensor[] inputs, Attrs attrs) {
            return new Tensor[] {apply1(inputs, attrs)};
        }
    }

    static Kernel single(Single k) { return k; }
}
