package dev.kiln.tracer;

import java.util.Set;

/**
 * Thrown inside a trace when some dynamic sizes cannot stay symbolic (a size attribute that matches several
 * sizes, a shape rule that holds only for some values): the tracer traces again with {@code symbols} static, so
 * the graph is right for the example's sizes and its input types reject others, instead of being wrong for them.
 */
final class Specialize extends RuntimeException {
    final Set<String> symbols;

    Specialize(Set<String> symbols, String reason) {
        super(reason, null, false, false);
        this.symbols = Set.copyOf(symbols);
    }
}
