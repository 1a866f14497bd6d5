package dev.kiln.eager;

import dev.kiln.ir.Attrs;
import dev.kiln.ir.Op;

/**
 * A hook around every op call on one thread: the tracer records through it, autograd attaches gradient
 * functions through it.
 *
 * <p>An interceptor must call {@code next.proceed(inputs)} exactly once to run the op (possibly with other
 * inputs) unless it replaces the op's result entirely, and must return what the op returns.
 */
@FunctionalInterface
public interface DispatchInterceptor {
    Tensor[] intercept(Op op, Attrs attrs, Tensor[] inputs, Invocation next);

    /** The rest of the dispatch chain: further interceptors, then the kernel. */
    @FunctionalInterface
    interface Invocation {
        Tensor[] proceed(Tensor[] inputs);
    }
}
