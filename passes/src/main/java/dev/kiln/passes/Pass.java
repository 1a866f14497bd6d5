package dev.kiln.passes;

import dev.kiln.ir.graph.Graph;

/**
 * One graph rewrite, as FX's passes: it mutates the graph in place through the {@link Graph} API (so use-lists stay
 * exact) and reports whether it changed anything and what, by counter. A pass must leave a graph that
 * {@code GraphVerifier} accepts whenever it was given one; the {@link PassManager} checks that after every pass
 * when verification is on.
 */
public interface Pass {
    /** A short stable name, e.g. {@code dce}; used in pipelines, reports and failure messages. */
    String name();

    /** Rewrites {@code graph} in place. */
    PassResult run(Graph graph);
}
