package dev.kiln.codegen.jvm;

import java.util.List;

/**
 * What {@link JvmCompiler} made of a graph: the generated class, the fusion groups lowered to generated loops,
 * and every fallback to an eager kernel (an op outside fusion groups, an epilogue's library call, a group whose
 * kernel the JVM back end cannot lower — with the reason), plus the time spent generating bytecode and loading it.
 */
public record CompileReport(String className, int bytecodeBytes, List<String> loweredGroups, List<String> fallbacks,
                            long codegenNanos, long loadNanos) {
    public CompileReport {
        loweredGroups = List.copyOf(loweredGroups);
        fallbacks = List.copyOf(fallbacks);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("class ").append(className).append(" (").append(bytecodeBytes)
                .append(" B), codegen ").append(codegenNanos / 1000).append(" us, load ").append(loadNanos / 1000)
                .append(" us\n");
        for (String g : loweredGroups) sb.append("  lowered  ").append(g).append('\n');
        for (String f : fallbacks) sb.append("  fallback ").append(f).append('\n');
        return sb.toString();
    }
}
