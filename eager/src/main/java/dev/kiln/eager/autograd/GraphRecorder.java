package dev.kiln.eager.autograd;

import dev.kiln.eager.Tensor;
import dev.kiln.ir.Attrs;
import dev.kiln.ir.Op;

/**
 * Records an op call in the autograd graph; the {@link dev.kiln.eager.Dispatcher} calls it after running an op
 * one of whose inputs requires grad.
 *
 * <p>Outputs of a differentiable op that are floating point become non-leaves pointing at a new {@link Node};
 * integer outputs (indices, casts to int) and outputs of non-differentiable ops (comparisons, argmax) do not
 * require grad, as in PyTorch. Nothing is recorded in no-grad mode.
 */
public final class GraphRecorder {
    private GraphRecorder() {}

    public static void record(Op op, Attrs attrs, Tensor[] inputs, Tensor[] outputs) {
        if (!GradMode.isEnabled() || !GradientRegistry.isDifferentiable(op)) return;
        AutogradMeta[] next = new AutogradMeta[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] != null && inputs[i].requiresGrad()) next[i] = inputs[i].autogradMeta();
        }
        for (int k = 0; k < outputs.length; k++) {
            // A kernel may hand back an input (or any tensor already in the graph) unchanged; attach a fresh alias
            // instead, so the input keeps its own identity (a leaf stays a leaf).
            if (outputs[k].autogradMeta() != null || isInput(outputs[k], inputs)) outputs[k] = outputs[k].detach();
        }
        Node node = new Node(op, attrs, inputs.clone(), outputs.clone(), next);
        for (int k = 0; k < outputs.length; k++) {
            if (!outputs[k].dtype().isFloatingPoint()) continue;
            AutogradMeta meta = AutogradMeta.nonLeaf(node, k);
            outputs[k].setAutogradMeta(meta);
            node.outputMeta()[k] = meta;
        }
    }

    private static boolean isInput(Tensor t, Tensor[] inputs) {
        for (Tensor in : inputs) if (in == t) return true;
        return false;
    }
}
