package dev.kiln.eager.optim;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Tensor;

/**
 * Adam, as {@code torch.optim.Adam} in PyTorch 1.13 (with optional L2 weight decay and AMSGrad):
 * {@code m = β1·m + (1-β1)·g}, {@code v = β2·v + (1-β2)·g²},
 * {@code p -= lr / (1-β1^t) · m / (sqrt(v) / sqrt(1-β2^t) + eps)}. {@link AdamW} decouples the weight decay.
 */
public class Adam extends Optimizer {
    private final double lr;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final boolean amsgrad;
    private final boolean decoupledDecay;

    /** Step count and moment estimates of one parameter. */
    private static final class State {
        long step;
        Tensor expAvg;
        Tensor expAvgSq;
        Tensor maxExpAvgSq;
    }

    public Adam(Iterable<Tensor> params, double lr) { this(params, lr, 0.9, 0.999, 1e-8, 0, false); }

    public Adam(Iterable<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay,
                boolean amsgrad) {
        this(params, "Adam", lr, beta1, beta2, eps, weightDecay, amsgrad, false);
    }

    Adam(Iterable<Tensor> params, String name, double lr, double beta1, double beta2, double eps, double weightDecay,
         boolean amsgrad, boolean decoupledDecay) {
        super(params, name);
        requireNonNegative(name, "lr", lr);
        requireNonNegative(name, "eps", eps);
        requireNonNegative(name, "weight_decay", weightDecay);
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new KilnException(name + ": expected betas in [0, 1), found (" + beta1 + ", " + beta2 + ")");
        }
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.amsgrad = amsgrad;
        this.decoupledDecay = decoupledDecay;
    }

    @Override
    protected Tensor update(Tensor p, Tensor g) {
        State s = state(p, State::new);
        if (s.expAvg == null) {
            s.expAvg = Tensor.zeros(p.dtype(), p.shape());
            s.expAvgSq = Tensor.zeros(p.dtype(), p.shape());
            if (amsgrad) s.maxExpAvgSq = Tensor.zeros(p.dtype(), p.shape());
        }
        s.step++;
        Tensor base = p;
        if (weightDecay != 0) {
            if (decoupledDecay) base = p.mul(1 - lr * weightDecay);  // AdamW: shrink the weights directly
            else g = g.add(p, weightDecay);                          // Adam: L2 penalty in the gradient
        }
        s.expAvg = s.expAvg.mul(beta1).add(g, 1 - beta1);
        s.expAvgSq = s.expAvgSq.mul(beta2).add(g.mul(g), 1 - beta2);
        Tensor second = s.expAvgSq;
        if (amsgrad) {
            s.maxExpAvgSq = s.maxExpAvgSq.maximum(s.expAvgSq);
            second = s.maxExpAvgSq;
        }
        double biasCorrection1 = 1 - Math.pow(beta1, s.step);
        double biasCorrection2Sqrt = Math.sqrt(1 - Math.pow(beta2, s.step));
        Tensor denom = second.sqrt().div(biasCorrection2Sqrt).add(eps);
        return base.sub(s.expAvg.div(denom), lr / biasCorrection1);
    }
}
