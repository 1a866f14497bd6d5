package dev.kiln.eager.optim;

import dev.kiln.eager.Tensor;

/**
 * Adam with decoupled weight decay, as {@code torch.optim.AdamW}: each step first scales the parameters by
 * {@code 1 - lr·weight_decay}, then applies the Adam update without the decay in the gradient.
 */
public final class AdamW extends Adam {
    /** PyTorch's defaults: betas (0.9, 0.999), eps 1e-8, weight decay 0.01. */
    public AdamW(Iterable<Tensor> params, double lr) { this(params, lr, 0.9, 0.999, 1e-8, 1e-2, false); }

    public AdamW(Iterable<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay,
                 boolean amsgrad) {
        super(params, "AdamW", lr, beta1, beta2, eps, weightDecay, amsgrad, true);
    }
}
