package dev.kiln.eager.autograd;

/**
 * Whether ops record the autograd graph on the current thread (PyTorch's grad mode). Recording is on by default;
 * {@link #noGrad()} turns it off for a try-with-resources block:
 *
 * <pre>{@code
 * try (var ignored = GradMode.noGrad()) {
 *     ... // results of ops do not require grad
 * }
 * }</pre>
 *
 * <p>The flag is per thread, like PyTorch's; scopes nest and restore the previous state on close.
 */
public final class GradMode {
    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    private GradMode() {}

    /** Whether ops on tensors that require grad record the graph on this thread. */
    public static boolean isEnabled() { return ENABLED.get()[0]; }

    /** Turns recording off until the returned scope is closed (PyTorch's {@code torch.no_grad()}). */
    public static Scope noGrad() { return set(false); }

    /** Turns recording on until the returned scope is closed (PyTorch's {@code torch.enable_grad()}). */
    public static Scope enableGrad() { return set(true); }

    private static Scope set(boolean enabled) {
        boolean[] flag = ENABLED.get();
        boolean previous = flag[0];
        flag[0] = enabled;
        return () -> flag[0] = previous;
    }

    /** A grad-mode block; closing restores the mode that held when it was opened. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
