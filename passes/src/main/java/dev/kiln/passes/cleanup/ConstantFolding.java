package dev.kiln.passes.cleanup;

import dev.kiln.eager.Dispatcher;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.OpTrait;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.NodeKind;
import dev.kiln.ir.graph.TensorData;
import dev.kiln.ir.graph.Value;
import dev.kiln.ir.type.TensorType;
import dev.kiln.passes.Counters;
import dev.kiln.passes.Pass;
import dev.kiln.passes.PassResult;
import dev.kiln.passes.util.Consts;
import dev.kiln.passes.util.GraphWalk;
import dev.kiln.passes.util.Rewrites;
import java.util.Arrays;

/**
 * Constant folding and propagation: an op whose tensor inputs are all constants (or a factory op with a static
 * size) is evaluated once with the eager kernels, through the {@link Dispatcher}, and replaced by constants; one
 * forward sweep propagates, since a folded result is a constant for the nodes after it. Sound because eager kernels
 * are the reference semantics and the result's dtype and shape are checked against the declared type (a mismatch
 * leaves the node alone). Never folded: random ops, ops with symbolic attributes or output shapes, ops inside a
 * {@code kiln::fused} group, and results with more than {@code maxElements} elements (a factory would otherwise
 * turn into a large stored constant). A {@code kiln::guard} whose value is a constant equal to the expected one is
 * proven and removed; a failing one stays, to fail at run time. Counters: {@code folded}, {@code guards-proven}.
 */
public final class ConstantFolding implements Pass {
    /** Results up to a million elements are folded by default. */
    public static final long DEFAULT_MAX_ELEMENTS = 1 << 20;

    private final long maxElements;

    public ConstantFolding() { this(DEFAULT_MAX_ELEMENTS); }

    public ConstantFolding(long maxElements) { this.maxElements = maxElements; }

    @Override
    public String name() { return "fold"; }

    @Override
    public PassResult run(Graph graph) {
        Counters c = new Counters();
        for (Node n : GraphWalk.nodes(graph)) {
            if (!GraphWalk.live(n) || insideFusion(n)) continue;
            if (n.kind() instanceof NodeKind.OpCall call && foldable(n, call)) fold(n, call, c);
            else if (n.kind() instanceof NodeKind.Guard g && proven(n, g)) {
                graph.erase(n);
                c.add("guards-proven");
            }
        }
        return PassResult.of(c);
    }

    private boolean foldable(Node n, NodeKind.OpCall call) {
        if (call.op().has(OpTrait.RANDOM) || call.attrs().isSymbolic()) return false;
        for (Value v : n.inputs()) if (v != null && !Consts.isConstant(v)) return false;
        for (Value o : n.outputs()) {
            if (!(o.type() instanceof TensorType t) || !t.shape().isStatic()) return false;
            if (Arrays.stream(t.shape().toLongs()).reduce(1, (a, b) -> a * b) > maxElements) return false;
        }
        return true;
    }

    private static void fold(Node n, NodeKind.OpCall call, Counters c) {
        Tensor[] in = new Tensor[n.inputs().size()];
        for (int i = 0; i < in.length; i++) {
            Value v = n.input(i);
            in[i] = v == null ? null : dev.kiln.passes.util.TensorBridge.tensor(Consts.of(v), (TensorType) v.type());
        }
        Tensor[] out = Dispatcher.call(call.op(), call.attrs(), in);
        TensorData[] data = new TensorData[out.length];
        for (int i = 0; i < out.length; i++) {
            TensorType t = (TensorType) n.outputs().get(i).type();
            data[i] = dev.kiln.passes.util.TensorBridge.data(out[i]);
            if (data[i].dtype() != t.dtype() || !Arrays.equals(data[i].shape(), t.shape().toLongs())) return;
        }
        String[] names = Rewrites.freeNames(n);
        for (int i = 0; i < out.length; i++) {
            Value old = n.outputs().get(i);
            Value folded = Rewrites.constantBefore(n, data[i], (TensorType) old.type(), names[i]);
            n.graph().replaceAllUsesWith(old, folded);
        }
        n.graph().erase(n);
        c.add("folded");
    }

    private static boolean proven(Node n, NodeKind.Guard g) {
        TensorData d = Consts.of(n.input(0));
        return d != null && d.numel() == 1 && d.element(0).equals(g.expected());
    }

    private static boolean insideFusion(Node n) {
        for (Node owner = n.block().owner(); owner != null; owner = owner.block().owner()) {
            if (owner.kind() instanceof NodeKind.Fused) return true;
        }
        return false;
    }
}
