package dev.kiln.eager.autograd;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.Attrs;
import dev.kiln.ir.Op;

/**
 * One recorded op call in the autograd graph (PyTorch's grad_fn): the op, its attributes, the tensors its
 * gradient formula reads (inputs and outputs), and for each input the state to send that input's gradient to
 * ({@code null} where the input needs none).
 *
 * <p>The saved tensors are dropped after a backward pass that does not retain the graph; a second pass through
 * a released node fails, as in PyTorch.
 */
final class Node {
    private final Op op;
    private final Attrs attrs;
    private Tensor[] inputs;
    private Tensor[] outputs;
    /** Per input: where its gradient goes (a leaf's or a non-leaf's state), or null. */
    private final AutogradMeta[] next;
    /** Per output: its state, or null for outputs that do not require grad (integer results). */
    private final AutogradMeta[] outputMeta;

    Node(Op op, Attrs attrs, Tensor[] inputs, Tensor[] outputs, AutogradMeta[] next) {
        this.op = op;
        this.attrs = attrs;
        this.inputs = inputs;
        this.outputs = outputs;
        this.next = next;
        this.outputMeta = new AutogradMeta[outputs.length];
    }

    Op op() { return op; }

    Attrs attrs() { return attrs; }

    AutogradMeta[] next() { return next; }

    AutogradMeta[] outputMeta() { return outputMeta; }

    int outputCount() { return outputMeta.length; }

    /** The saved inputs; throws when a previous backward pass released them. */
    Tensor[] inputs() {
        checkNotReleased();
        return inputs;
    }

    Tensor[] outputs() {
        checkNotReleased();
        return outputs;
    }

    /** Drops the saved tensors (backward without {@code retainGraph}). */
    void release() {
        inputs = null;
        outputs = null;
    }

    private void checkNotReleased() {
        if (inputs == null) {
            throw new KilnException("backward: trying to backward through the graph a second time: the saved "
                    + "tensors of " + op + " were freed by the first pass (pass retainGraph = true to the first "
                    + "backward to keep them)");
        }
    }

    @Override
    public String toString() { return op.qualifiedName() + "Backward"; }
}
