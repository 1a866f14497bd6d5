package dev.kiln.ir;

/** Properties of an {@link Op} that passes and backends rely on. */
public enum OpTrait {
    /** Output element i depends only on input elements i (after broadcasting). */
    ELEMENTWISE,
    /** {@code op(a, b) == op(b, a)}. */
    COMMUTATIVE,
    /** Output shares storage with its first input (a view); never folded into a fresh buffer by eager code. */
    VIEW,
    /** Reduces along one or more axes. */
    REDUCTION,
    /** Draws from a random generator: never constant-folded, never merged by CSE. */
    RANDOM,
    /** Takes no tensor inputs and builds a new tensor from attributes (zeros, arange, ...). */
    FACTORY,
    /** Produces a boolean tensor (comparisons). */
    PREDICATE,
    /** The number of tensor inputs is not fixed (cat, stack). */
    VARIADIC
}
