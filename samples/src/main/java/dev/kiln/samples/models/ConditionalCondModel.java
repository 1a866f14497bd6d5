package dev.kiln.samples.models;

import dev.kiln.eager.Tensor;
import dev.kiln.eager.nn.Module;
import dev.kiln.tracer.Tracer;

/**
 * The {@code control_flow} case written with structured control flow: {@link Tracer#cond} runs one branch eagerly
 * and records both under a trace, so the traced graph gives the eager answer on every input.
 */
public final class ConditionalCondModel extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return Tracer.cond(x.sum().gt(0), () -> x.mul(2), () -> x.mul(3));
    }
}
