package dev.kiln.codegen.jvm;

/**
 * What every generated class implements (its one instance is made by {@link JvmCompiler}): {@link #forward} is the
 * graph as straight-line code over JVM locals, one statement per top-level node; {@link #run} dispatches to the
 * generated loop of fusion group kernel {@code kernel} over {@code [start, end)} (points, or rows of {@code inner}
 * points), so {@link KilnKernels#fused} can split a loop across threads.
 */
public interface GeneratedGraph {
    Object[] forward(Frame frame, Object[] inputs);

    void run(int kernel, Object[] arrays, int inner, int start, int end);
}
