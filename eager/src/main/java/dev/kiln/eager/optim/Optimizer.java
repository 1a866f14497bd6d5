package dev.kiln.eager.optim;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Tensor;
import dev.kiln.eager.autograd.GradMode;
import dev.kiln.eager.kernels.Copy;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Base of the optimisers, as {@code torch.optim.Optimizer}: holds the parameters (leaves that require grad) and
 * per-parameter state, and updates the parameters in place from their {@code grad()}.
 *
 * <p>Updates are computed with tensor ops in no-grad mode and written into the parameter's storage, so every
 * holder of a parameter (its module, the autograd graph) sees the new values and nothing is recorded.
 * Parameters without a gradient are skipped, as in PyTorch.
 */
public abstract class Optimizer {
    private final List<Tensor> params;
    private final Map<Tensor, Object> state = new IdentityHashMap<>();

    protected Optimizer(Iterable<Tensor> params, String name) {
        this.params = new ArrayList<>();
        for (Tensor p : params) {
            if (!p.requiresGrad() || !p.isLeaf()) {
                throw new KilnException(name + ": expected parameters that are leaves requiring grad, found "
                        + (p.requiresGrad() ? "a non-leaf tensor" : "a tensor that does not require grad"));
            }
            this.params.add(p);
        }
        if (this.params.isEmpty()) throw new KilnException(name + ": expected at least one parameter, found none");
    }

    /** One update of every parameter that has a gradient. */
    public final void step() {
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            for (Tensor p : params) {
                Tensor g = p.grad();
                if (g != null) Copy.into(update(p, g), p);
            }
        }
    }

    /** The parameter's new value (same dtype and shape) from its value and gradient; runs in no-grad mode. */
    protected abstract Tensor update(Tensor param, Tensor grad);

    /** Zeroes every gradient in place (PyTorch 1.13's default, {@code set_to_none=False}). */
    public final void zeroGrad() { zeroGrad(false); }

    /** Zeroes every gradient, or drops it when {@code setToNone} (the next backward then stores a fresh one). */
    public final void zeroGrad(boolean setToNone) {
        for (Tensor p : params) {
            Tensor g = p.grad();
            if (g == null) continue;
            if (setToNone) p.autogradMeta().setGrad(null);
            else Copy.into(Tensor.scalarTensor(0, g.dtype()), g);
        }
    }

    public final List<Tensor> parameters() { return List.copyOf(params); }

    /** The state of {@code param}, created by {@code init} on first use. */
    @SuppressWarnings("unchecked")
    protected final <S> S state(Tensor param, Supplier<S> init) {
        return (S) state.computeIfAbsent(param, p -> init.get());
    }

    static void requireNonNegative(String optimizer, String name, double value) {
        if (!(value >= 0)) {
            throw new KilnException(optimizer + ": expected " + name + " >= 0, found " + value);
        }
    }
}
