/**
 * Graph-to-graph optimisation passes and lowering to kernel IR (issue: optimisation passes).
 *
 * <p>Not built yet: this package holds the module's place in the build and its dependencies.
 */
package dev.kiln.passes;
