package dev.kiln.eager;

import dev.kiln.eager.autograd.GraphRecorder;
import dev.kiln.eager.kernels.KernelRegistry;
import dev.kiln.ir.Attrs;
import dev.kiln.ir.Op;
import dev.kiln.ir.OpSchema;
import dev.kiln.ir.TensorParam;
import java.util.ArrayList;
import java.util.List;

/**
 * The one entry point through which every eager op runs.
 *
 * <p>{@link #call} checks the inputs against the op's schema, passes the call through the interceptors
 * installed on this thread (innermost last), and runs the op's kernel from {@link KernelRegistry}.
 * Interceptors are per thread, so tracing one model never affects another thread's eager code. When an input
 * requires grad, the kernel's call is recorded in the autograd graph ({@link GraphRecorder}).
 */
public final class Dispatcher {
    private static final ThreadLocal<List<DispatchInterceptor>> INTERCEPTORS =
            ThreadLocal.withInitial(ArrayList::new);

    private Dispatcher() {}

    /** Runs {@code op} and returns all of its outputs. */
    public static Tensor[] call(Op op, Attrs attrs, Tensor... inputs) {
        if (attrs.op() != op) {
            throw new IllegalArgumentException("attributes built for " + attrs.op() + " passed to " + op);
        }
        checkInputs(op, inputs);
        List<DispatchInterceptor> chain = INTERCEPTORS.get();
        if (chain.isEmpty()) return runKernel(op, attrs, inputs);
        return proceed(chain, chain.size() - 1, op, attrs, inputs);
    }

    private static boolean anyRequiresGrad(Tensor[] inputs) {
        for (Tensor t : inputs) {
            if (t != null && t.requiresGrad()) return true;
        }
        return false;
    }

    /**
     * Runs a one-output op as {@link #call1} does, but with its result written into {@code into} where the op's
     * kernel can ({@link Kernel.Into}: a float32 result of exactly {@code into.length} elements); the result is then
     * a tensor over {@code into}, whose old contents are overwritten. Ops without such a kernel, calls under an
     * interceptor (tracing) and calls whose inputs require grad run exactly as {@link #call1}, with a fresh result.
     * For compiled code's reused buffers: the caller must not let the result outlive the buffer's next use.
     */
    public static Tensor callInto(Op op, Attrs attrs, float[] into, Tensor... inputs) {
        if (!(KernelRegistry.kernel(op) instanceof Kernel.Into k) || !INTERCEPTORS.get().isEmpty()
                || anyRequiresGrad(inputs)) {
            return call1(op, attrs, inputs);
        }
        if (attrs.op() != op) {
            throw new IllegalArgumentException("attributes built for " + attrs.op() + " passed to " + op);
        }
        checkInputs(op, inputs);
        return k.apply1(inputs, attrs, into);
    }

    /** Whether {@link #callInto} can write {@code op}'s result into a caller's array. */
    public static boolean hasIntoKernel(Op op) { return KernelRegistry.kernel(op) instanceof Kernel.Into; }

    /** Runs an op with exactly one output. */
    public static Tensor call1(Op op, Attrs attrs, Tensor... inputs) {
        return call(op, attrs, inputs)[0];
    }

    /** Runs an op with default attributes and one output. */
    public static Tensor call1(Op op, Tensor... inputs) {
        return call(op, Attrs.defaults(op), inputs)[0];
    }

    /**
     * Installs {@code interceptor} on the current thread until the returned scope is closed. Scopes nest and must be
     * closed in reverse order of installation (use try-with-resources).
     */
    public static Scope intercept(DispatchInterceptor interceptor) {
        List<DispatchInterceptor> chain = INTERCEPTORS.get();
        chain.add(interceptor);
        int depth = chain.size();
        return () -> {
            List<DispatchInterceptor> c = INTERCEPTORS.get();
            if (c.size() != depth || c.get(depth - 1) != interceptor) {
                throw new IllegalStateException("dispatch interceptor scopes closed out of order");
            }
            c.remove(depth - 1);
        };
    }

    /** A closeable installation of an interceptor whose close does not throw checked exceptions. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    private static Tensor[] proceed(List<DispatchInterceptor> chain, int index, Op op, Attrs attrs, Tensor[] inputs) {
        if (index < 0) return runKernel(op, attrs, inputs);
        DispatchInterceptor interceptor = chain.get(index);
        return interceptor.intercept(op, attrs, inputs, next -> proceed(chain, index - 1, op, attrs, next));
    }

    /**
     * Runs the kernel and, when an input requires grad, records the call in the autograd graph. Recording sits
     * here, innermost, so that an interceptor that replaces a result entirely owns it untouched.
     */
    private static Tensor[] runKernel(Op op, Attrs attrs, Tensor[] inputs) {
        Tensor[] outputs = KernelRegistry.kernel(op).apply(inputs, attrs);
        // Autograd costs one field test per input when nothing requires grad.
        if (anyRequiresGrad(inputs)) GraphRecorder.record(op, attrs, inputs, outputs);
        return outputs;
    }

    /** Checks the count and presence of tensor inputs against the schema; kernels check shapes and dtypes. */
    static void checkInputs(Op op, Tensor[] inputs) {
        OpSchema schema = op.schema();
        List<TensorParam> params = schema.inputs();
        if (schema.isVariadic()) {
            if (inputs.length < params.size() - 1) {
                throw new KilnException(op + ": expected at least " + (params.size() - 1) + " tensor inputs, got "
                        + inputs.length);
            }
        } else if (inputs.length != params.size()) {
            throw new KilnException(op + ": expected " + params.size() + " tensor inputs " + names(params) + ", got "
                    + inputs.length);
        }
        for (int i = 0; i < inputs.length; i++) {
            TensorParam p = params.get(Math.min(i, params.size() - 1));
            if (inputs[i] == null && !p.optional()) {
                throw new KilnException(op + ": argument '" + p.name() + "' (input " + i
                        + ") expected a tensor, found null");
            }
        }
    }

    private static String names(List<TensorParam> params) {
        List<String> n = new ArrayList<>();
        for (TensorParam p : params) n.add(p.name() + (p.optional() ? "?" : "") + (p.variadic() ? "[]" : ""));
        return n.toString();
    }
}
