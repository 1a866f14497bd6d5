/**
 * Graph-to-graph optimisation passes over the Kiln IR and their pass manager.
 *
 * <p>A {@link dev.kiln.passes.Pass} is a small named class that rewrites a graph in place and returns a
 * {@link dev.kiln.passes.PassResult} (changed, counters). {@link dev.kiln.passes.PassManager} runs a named
 * pipeline, verifies after each pass on request (always in tests), prints after every pass on request, times each
 * pass and names the passes that ran before a failure. {@link dev.kiln.passes.Pipelines} holds the standard
 * pipelines. Sub-packages hold the passes by role: {@code cleanup} (dead code, CSE, constant folding),
 * {@code simplify} (algebraic and view rewrite rules), {@code freeze} (inference freezing), {@code fusion},
 * {@code shape} (specialisation), {@code memory} (liveness-based buffer planning) and {@code kernel} (the
 * loop-level kernel IR that fusion groups lower to, with its interpreter).
 */
package dev.kiln.passes;
