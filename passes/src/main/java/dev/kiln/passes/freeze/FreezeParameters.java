package dev.kiln.passes.freeze;

import dev.kiln.eager.Tensor;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.NodeKind;
import dev.kiln.ir.graph.TensorData;
import dev.kiln.ir.type.Shape;
import dev.kiln.ir.type.TensorType;
import dev.kiln.passes.Counters;
import dev.kiln.passes.Pass;
import dev.kiln.passes.PassResult;
import dev.kiln.passes.util.GraphWalk;
import dev.kiln.passes.util.Rewrites;
import dev.kiln.passes.util.TensorBridge;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Freezing for inference, as {@code torch.jit.freeze}: every {@code param["key"]} node becomes a constant holding
 * that parameter's (or buffer's) current value, so later passes may fold through weights. Sound only when the
 * values will not change between compilation and use (inference). The constant-table key is the state-dict key
 * when free. A parameter missing from the given values, or of another type than the graph declares, fails with
 * the key. Counter: {@code frozen}.
 */
public final class FreezeParameters implements Pass {
    private final Map<String, TensorData> values;

    public FreezeParameters(Map<String, TensorData> values) { this.values = Map.copyOf(values); }

    /** From eager tensors (a module's state dict). */
    public static FreezeParameters of(Map<String, Tensor> stateDict) {
        Map<String, TensorData> m = new LinkedHashMap<>();
        stateDict.forEach((k, t) -> m.put(k, TensorBridge.data(t)));
        return new FreezeParameters(m);
    }

    @Override
    public String name() { return "freeze-params"; }

    @Override
    public PassResult run(Graph graph) {
        Counters c = new Counters();
        for (Node n : GraphWalk.nodes(graph)) {
            if (!(n.kind() instanceof NodeKind.Param p)) continue;
            TensorData d = values.get(p.key());
            if (d == null) throw new IllegalArgumentException("no value given for parameter '" + p.key() + "'");
            TensorType declared = (TensorType) n.output().type();
            TensorType actual = TensorType.of(d.dtype(), Shape.of(d.shape()));
            if (!actual.equals(declared)) {
                throw new IllegalArgumentException("parameter '" + p.key() + "' is declared " + declared
                        + " but the given value is " + actual);
            }
            String name = Rewrites.freeNames(n)[0];
            String key = Rewrites.freshConstantKey(graph, Graph.isValidName(p.key()) ? p.key() : "p");
            graph.putConstant(key, d);
            Node k = graph.create(new NodeKind.ConstRef(key)).outputs(declared).names(name).source(n.source())
                    .insertBefore(n);
            Rewrites.replaceWithValue(n, k.output());
            c.add("frozen");
        }
        return PassResult.of(c);
    }
}
