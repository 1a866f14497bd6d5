package dev.kiln.eager.autograd;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Tensor;

/**
 * The autograd state of one tensor that requires grad (tensors that do not have none).
 *
 * <p>A leaf has no {@link #gradFn()}: its gradient is accumulated into {@link #grad()}. A non-leaf is output
 * {@link #outputIndex()} of the recorded op {@link #gradFn()}; it always requires grad and keeps a gradient only
 * when {@link #retainGrad()} was called. Instances are mutated only by the owning tensor's methods and by the
 * {@link Engine}.
 */
public final class AutogradMeta {
    private boolean requiresGrad;
    private final Node gradFn;
    private final int outputIndex;
    private boolean retainsGrad;
    private Tensor grad;

    private AutogradMeta(boolean requiresGrad, Node gradFn, int outputIndex) {
        this.requiresGrad = requiresGrad;
        this.gradFn = gradFn;
        this.outputIndex = outputIndex;
    }

    /** The state of output {@code index} of a recorded op. */
    static AutogradMeta nonLeaf(Node gradFn, int index) { return new AutogradMeta(true, gradFn, index); }

    /**
     * The new state for {@code t.requiresGrad(flag)} given its current state {@code meta} (may be null):
     * enforces PyTorch's rules (floating leaves only; non-leaves cannot be unmarked).
     */
    public static AutogradMeta setRequiresGrad(Tensor t, AutogradMeta meta, boolean flag) {
        if (meta != null && !meta.isLeaf()) {
            if (!flag) {
                throw new KilnException("requiresGrad(false): expected a leaf tensor, found the result of "
                        + meta.gradFn.op() + " (use detach() to get a tensor outside the graph)");
            }
            return meta;
        }
        if (flag && !t.dtype().isFloatingPoint()) {
            throw new KilnException("requiresGrad(true): expected a floating-point tensor (only those can require "
                    + "gradients), found " + t.dtype().torchName());
        }
        if (meta == null) return flag ? new AutogradMeta(true, null, 0) : null;
        meta.requiresGrad = flag;
        return meta;
    }

    public boolean requiresGrad() { return requiresGrad; }

    public boolean isLeaf() { return gradFn == null; }

    /** The recorded op that produced this tensor, or null for a leaf. */
    Node gradFn() { return gradFn; }

    int outputIndex() { return outputIndex; }

    /** The name of the op that produced this tensor (e.g. {@code aten::mul}), or null for a leaf. */
    public String gradFnName() { return gradFn == null ? null : gradFn.op().qualifiedName(); }

    public Tensor grad() { return grad; }

    /** Replaces the gradient (null clears it); used by optimisers' {@code zeroGrad}. */
    public void setGrad(Tensor grad) { this.grad = grad; }

    /** Keeps this non-leaf's gradient in {@link #grad()} during backward passes (a no-op on leaves). */
    public void retainGrad() { if (!isLeaf()) retainsGrad = true; }

    /** Whether backward passes store this tensor's gradient in {@link #grad()}. */
    boolean keepsGrad() { return isLeaf() ? requiresGrad : retainsGrad; }
}
