package dev.kiln.eager.optim;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Tensor;

/**
 * Stochastic gradient descent with optional momentum, dampening, weight decay and Nesterov momentum, with
 * PyTorch 1.13's update: {@code d = g + wd·p}; {@code buf = d} on the first step, else
 * {@code buf = μ·buf + (1 - dampening)·d}; {@code d = nesterov ? d + μ·buf : buf}; {@code p -= lr·d}.
 */
public final class SGD extends Optimizer {
    private final double lr;
    private final double momentum;
    private final double dampening;
    private final double weightDecay;
    private final boolean nesterov;

    /** The momentum buffer of one parameter (null until the first step). */
    private static final class State {
        Tensor buf;
    }

    public SGD(Iterable<Tensor> params, double lr) { this(params, lr, 0, 0, 0, false); }

    public SGD(Iterable<Tensor> params, double lr, double momentum, double dampening, double weightDecay,
               boolean nesterov) {
        super(params, "SGD");
        requireNonNegative("SGD", "lr", lr);
        requireNonNegative("SGD", "momentum", momentum);
        requireNonNegative("SGD", "weight_decay", weightDecay);
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new KilnException("SGD: Nesterov momentum expected momentum > 0 and dampening 0, found momentum "
                    + momentum + " and dampening " + dampening);
        }
        this.lr = lr;
        this.momentum = momentum;
        this.dampening = dampening;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
    }

    @Override
    protected Tensor update(Tensor p, Tensor g) {
        Tensor d = weightDecay != 0 ? g.add(p, weightDecay) : g;
        if (momentum != 0) {
            State s = state(p, State::new);
            s.buf = s.buf == null ? d.copy() : s.buf.mul(momentum).add(d, 1 - dampening);
            d = nesterov ? d.add(s.buf, momentum) : s.buf;
        }
        return p.sub(d, lr);
    }
}
