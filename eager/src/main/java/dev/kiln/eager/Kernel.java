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

    /**
     * A one-output kernel that can write its result into a caller's float array: compiled code passes the buffers
     * of its memory plan ({@link Dispatcher#callInto}), so a steady-state call allocates no result array.
     */
    interface Into extends Single {
        /**
         * As {@link #apply1(Tensor[], Attrs)}, with the result's elements in {@code into} (a contiguous tensor over
         * it) when the result is float32 of exactly {@code into.length} elements; otherwise a fresh result. A kernel
         * whose result may be a view (reshape) returns the view when it can, leaving {@code into} unused.
         */
        Tensor apply1(Tensor[] inputs, Attrs attrs, float[] into);

        @Override
        default Tensor apply1(Tensor[] inputs, Attrs attrs) { return apply1(inputs, attrs, null); }
    }

    static Kernel into(Into k) { return k; }
}
