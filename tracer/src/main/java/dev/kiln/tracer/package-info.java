/**
 * The tracer: runs a model once under a dispatch recorder and emits an SSA graph (issue: IR and tracer).
 *
 * <p>Not built yet: this package holds the module's place in the build and its dependencies.
 */
package dev.kiln.tracer;
