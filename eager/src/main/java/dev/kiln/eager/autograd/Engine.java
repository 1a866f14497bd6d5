package dev.kiln.eager.autograd;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Tensor;
import dev.kiln.eager.kernels.Copy;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reverse-mode differentiation over the recorded graph, as micrograd does it: sort the nodes reachable from the
 * root topologically, walk them from the root towards the leaves, and at each node turn the gradients of its
 * outputs into gradients of its inputs with the op's {@link GradientFormula}, summing where a tensor is used
 * several times.
 *
 * <p>Gradients reaching a leaf that requires grad are added into its {@code grad()} (a fresh tensor the first
 * time, so it never aliases a tensor the caller holds). Formulas run in no-grad mode, so the backward pass
 * records nothing (no higher-order gradients). Each input gradient is checked to have its input's shape and
 * converted to its input's dtype, as PyTorch's engine does.
 */
public final class Engine {
    private Engine() {}

    /**
     * Backpropagates from {@code root}. {@code gradient} may be null only for a one-element root (gradient 1).
     * Unless {@code retainGraph}, the saved tensors of every node visited are released.
     */
    public static void backward(Tensor root, Tensor gradient, boolean retainGraph) {
        if (!root.requiresGrad()) {
            throw new KilnException("backward: expected a tensor that requires grad, found one that does not (no "
                    + "input of the ops that produced it requires grad, or it was computed in no-grad mode)");
        }
        Tensor seed = seedGradient(root, gradient);
        AutogradMeta rootMeta = root.autogradMeta();
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            if (rootMeta.isLeaf()) {
                accumulate(rootMeta, seed);
                return;
            }
            List<Node> order = topologicalOrder(rootMeta.gradFn());
            Map<Node, Tensor[]> pending = new IdentityHashMap<>();
            pending.computeIfAbsent(rootMeta.gradFn(), n -> new Tensor[n.outputCount()])[rootMeta.outputIndex()] = seed;
            for (Node node : order) {
                Tensor[] outputGrads = pending.remove(node);
                if (outputGrads == null) continue; // no gradient reached it (e.g. only an integer output was used)
                for (int k = 0; k < outputGrads.length; k++) {
                    AutogradMeta m = node.outputMeta()[k];
                    if (m != null && outputGrads[k] != null && m.keepsGrad()) accumulate(m, outputGrads[k]);
                }
                Tensor[] inputGrads = apply(node, outputGrads);
                if (!retainGraph) node.release();
                AutogradMeta[] next = node.next();
                for (int i = 0; i < next.length; i++) {
                    if (next[i] == null || inputGrads[i] == null) continue;
                    if (next[i].isLeaf()) {
                        if (next[i].requiresGrad()) accumulate(next[i], inputGrads[i]);
                    } else {
                        Tensor[] slot = pending.computeIfAbsent(next[i].gradFn(), n -> new Tensor[n.outputCount()]);
                        int k = next[i].outputIndex();
                        slot[k] = slot[k] == null ? inputGrads[i] : slot[k].add(inputGrads[i]);
                    }
                }
            }
        }
    }

    private static Tensor seedGradient(Tensor root, Tensor gradient) {
        if (gradient == null) {
            if (root.numel() != 1) {
                throw new KilnException("backward: a gradient can be implicitly created only for one-element "
                        + "outputs, found shape " + Arrays.toString(root.shape()) + " (pass the gradient explicitly)");
            }
            return Tensor.full(1.0, root.dtype(), root.shape());
        }
        if (!Arrays.equals(gradient.shape(), root.shape())) {
            throw new KilnException("backward: argument 'gradient' expected shape " + Arrays.toString(root.shape())
                    + " (the output's), found " + Arrays.toString(gradient.shape()));
        }
        return gradient.dtype() == root.dtype() ? gradient.detach() : gradient.detach().to(root.dtype());
    }

    /** Runs the node's formula and checks and converts what it returns. */
    private static Tensor[] apply(Node node, Tensor[] outputGrads) {
        Tensor[] inputs = node.inputs();
        GradContext ctx = new GradContext(node.op(), node.attrs(), inputs, node.outputs(), outputGrads, node.next());
        Tensor[] grads = GradientRegistry.formula(node.op()).apply(ctx);
        if (grads.length != inputs.length) {
            throw new IllegalStateException(node.op() + ": gradient formula returned " + grads.length
                    + " gradients for " + inputs.length + " inputs");
        }
        for (int i = 0; i < grads.length; i++) {
            if (grads[i] == null || node.next()[i] == null) continue;
            if (!Arrays.equals(grads[i].shape(), inputs[i].shape())) {
                throw new IllegalStateException(node.op() + ": gradient formula returned shape "
                        + Arrays.toString(grads[i].shape()) + " for input " + i + " of shape "
                        + Arrays.toString(inputs[i].shape()));
            }
            if (grads[i].dtype() != inputs[i].dtype()) grads[i] = grads[i].to(inputs[i].dtype());
        }
        return grads;
    }

    private static void accumulate(AutogradMeta meta, Tensor g) {
        Tensor old = meta.grad();
        meta.setGrad(old == null ? Copy.contiguous(g) : old.add(g));
    }

    /**
     * Nodes reachable from {@code root}, each before every node it depends on (reverse post-order of a
     * depth-first search; iterative, so long chains do not overflow the stack).
     */
    static List<Node> topologicalOrder(Node root) {
        List<Node> postOrder = new ArrayList<>();
        Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Object[]> stack = new ArrayDeque<>(); // {node, iterator over its predecessors}
        seen.add(root);
        stack.push(new Object[] {root, predecessors(root).iterator()});
        while (!stack.isEmpty()) {
            Object[] top = stack.peek();
            @SuppressWarnings("unchecked")
            Iterator<Node> it = (Iterator<Node>) top[1];
            if (it.hasNext()) {
                Node n = it.next();
                if (seen.add(n)) stack.push(new Object[] {n, predecessors(n).iterator()});
            } else {
                stack.pop();
                postOrder.add((Node) top[0]);
            }
        }
        Collections.reverse(postOrder);
        return postOrder;
    }

    private static List<Node> predecessors(Node n) {
        List<Node> out = new ArrayList<>();
        for (AutogradMeta m : n.next()) if (m != null && !m.isLeaf()) out.add(m.gradFn());
        return out;
    }
}
