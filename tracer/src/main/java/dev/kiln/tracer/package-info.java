/**
 * The tracer: {@link dev.kiln.tracer.Tracer#trace} runs a model once with a recorder installed in the eager
 * dispatcher and returns a {@link dev.kiln.tracer.TracedModule}: a verified SSA graph with symbolic sizes, guards
 * on data-dependent Java control flow, and structured {@code kiln::cond} / {@code kiln::scan} nodes for the
 * control flow written with {@link dev.kiln.tracer.Tracer#cond} and {@link dev.kiln.tracer.Tracer#scan}. See
 * {@code docs/tracing.md}.
 */
package dev.kiln.tracer;
