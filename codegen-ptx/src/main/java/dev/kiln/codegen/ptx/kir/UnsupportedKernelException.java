package dev.kiln.codegen.ptx.kir;

/**
 * A kernel IR construct the PTX renderer has no lowering for (an op in a dtype it does not compute in, a reduction
 * in a dtype other than {@code f32}, ...). The message names the op and the dtype; nothing falls back silently.
 */
public final class UnsupportedKernelException extends RuntimeException {
    public UnsupportedKernelException(String message) { super(message); }
}
