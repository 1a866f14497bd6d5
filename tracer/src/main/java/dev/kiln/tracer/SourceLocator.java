package dev.kiln.tracer;

import dev.kiln.eager.nn.Module;
import dev.kiln.ir.graph.SourceInfo;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds where an op was issued: the Java source line (the first stack frame outside Kiln's eager and tracer
 * packages, i.e. in the model's code) and the module path ({@code attn.qkv}).
 *
 * <p>The module path is read off the stack too: the {@code forward} frames of {@link Module} subclasses, outermost
 * first, are matched against the module tree from the root, each frame's class picking a child of that class.
 * Where several children share the class (two {@code Linear}s), the parameters the op uses decide
 * ({@code attn.qkv.weight} lies under {@code attn.qkv}); where nothing decides, the path stops at the last
 * unambiguous module. Frames are classes, not instances, so this is a best effort that is exact whenever a module
 * has at most one child per class or the op touches its module's parameters.
 */
final class SourceLocator {
    private static final Set<String> KILN_PACKAGES = Set.of("dev.kiln.eager", "dev.kiln.eager.nn",
            "dev.kiln.eager.kernels", "dev.kiln.eager.interp", "dev.kiln.tracer");
    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

    private final Module root;

    SourceLocator(Module root) { this.root = root; }

    /** The source of an op whose inputs include the parameters at {@code paramPaths}. */
    SourceInfo locate(Collection<String> paramPaths) {
        List<StackWalker.StackFrame> frames = WALKER.walk(s -> s.toList());
        StackWalker.StackFrame user = null;
        List<Class<?>> modules = new ArrayList<>();
        for (StackWalker.StackFrame f : frames) {
            Class<?> c = f.getDeclaringClass();
            if (user == null && !isInternal(c)) user = f;
            // Module's own forward(Tensor...) only forwards to the subclass's forward(Tensor).
            if (f.getMethodName().equals("forward") && Module.class.isAssignableFrom(c) && c != Module.class) {
                if (modules.isEmpty() || modules.get(modules.size() - 1) != c) modules.add(c);
            }
        }
        String path = modulePath(reversed(modules), paramPaths);
        if (user == null || user.getFileName() == null) return SourceInfo.module(path);
        return new SourceInfo(path, user.getFileName(), Math.max(user.getLineNumber(), 0));
    }

    private static boolean isInternal(Class<?> c) {
        String pkg = c.getPackageName();
        return KILN_PACKAGES.contains(pkg) || pkg.startsWith("java.") || pkg.startsWith("jdk.")
                || pkg.startsWith("sun.");
    }

    private String modulePath(List<Class<?>> chain, Collection<String> paramPaths) {
        Module current = root;
        String path = "";
        int i = !chain.isEmpty() && chain.get(0) == root.getClass() ? 1 : 0;
        for (; i < chain.size(); i++) {
            Class<?> want = chain.get(i);
            String pick = null;
            List<String> candidates = new ArrayList<>();
            for (Map.Entry<String, Module> c : current.namedChildren().entrySet()) {
                if (c.getValue().getClass() == want) candidates.add(c.getKey());
            }
            if (candidates.size() == 1) pick = candidates.get(0);
            for (String c : candidates) {
                if (candidates.size() > 1 && usesUnder(paramPaths, join(path, c))) pick = c;
            }
            if (pick == null) break;
            current = current.namedChildren().get(pick);
            path = join(path, pick);
        }
        return path;
    }

    private static boolean usesUnder(Collection<String> paramPaths, String prefix) {
        for (String p : paramPaths) if (p.startsWith(prefix + ".")) return true;
        return false;
    }

    private static String join(String a, String b) { return a.isEmpty() ? b : a + "." + b; }

    private static <T> List<T> reversed(List<T> l) {
        List<T> out = new ArrayList<>(l);
        java.util.Collections.reverse(out);
        return out;
    }
}
