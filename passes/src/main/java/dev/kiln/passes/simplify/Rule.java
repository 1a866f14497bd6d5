package dev.kiln.passes.simplify;

import dev.kiln.ir.Op;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.Value;
import java.util.Set;

/**
 * One rewrite rule, as tinygrad's pattern tables and GraalVM's {@code canonical} methods: the ops it looks at, a
 * one-line algebra ({@code x * 1 => x}) and a matcher that returns the value to use instead of the node's (single)
 * output, or null when the rule does not apply. A matcher may insert new nodes before the node it rewrites.
 *
 * @param name    a short id used in counters ({@code rule.<name>})
 * @param algebra the identity the rule applies, with its side conditions
 * @param ops     the ops whose nodes the matcher sees
 */
public record Rule(String name, String algebra, Set<Op> ops, Matcher matcher) {

    /** Returns the replacement for {@code node}'s output, or null. */
    @FunctionalInterface
    public interface Matcher {
        Value apply(Node node);
    }

    public static Rule of(String name, String algebra, Matcher matcher, Op... ops) {
        return new Rule(name, algebra, Set.of(ops), matcher);
    }
}
