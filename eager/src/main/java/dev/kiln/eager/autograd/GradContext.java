package dev.kiln.eager.autograd;

import dev.kiln.eager.Tensor;
import dev.kiln.ir.Attrs;
import dev.kiln.ir.Op;

/**
 * What a {@link GradientFormula} sees of one recorded call: the op's attributes, its inputs and outputs as they
 * were computed, the gradients of its outputs, and which inputs need a gradient.
 *
 * <p>{@link #grad(int)} is null only for an output of a multi-output op that received no gradient; single-output
 * ops always get one. Inputs that are absent optional tensors are null.
 */
public final class GradContext {
    private final Op op;
    private final Attrs attrs;
    private final Tensor[] inputs;
    private final Tensor[] outputs;
    private final Tensor[] grads;
    private final AutogradMeta[] next;

    GradContext(Op op, Attrs attrs, Tensor[] inputs, Tensor[] outputs, Tensor[] grads, AutogradMeta[] next) {
        this.op = op;
        this.attrs = attrs;
        this.inputs = inputs;
        this.outputs = outputs;
        this.grads = grads;
        this.next = next;
    }

    public Op op() { return op; }

    public Attrs attrs() { return attrs; }

    public int inputCount() { return inputs.length; }

    public Tensor input(int i) { return inputs[i]; }

    public Tensor output(int k) { return outputs[k]; }

    public int outputCount() { return outputs.length; }

    /** The gradient of output {@code k}, or null when none reached it. */
    public Tensor grad(int k) { return grads[k]; }

    /** The gradient of the single output. */
    public Tensor grad() { return grads[0]; }

    /** Whether input {@code i} needs a gradient (formulas skip the work for the others). */
    public boolean needs(int i) { return next[i] != null; }

    /** An array to fill with one gradient per input (entries left null mean "no gradient"). */
    public Tensor[] none() { return new Tensor[inputs.length]; }
}
