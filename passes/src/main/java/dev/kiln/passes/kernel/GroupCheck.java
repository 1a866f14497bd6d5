package dev.kiln.passes.kernel;

import dev.kiln.eager.Dispatcher;
import dev.kiln.eager.Tensor;
import dev.kiln.eager.interp.Interpreter;
import dev.kiln.ir.graph.Block;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.NodeKind;
import dev.kiln.ir.graph.Value;
import dev.kiln.ir.type.TensorType;
import dev.kiln.ir.type.ValueType;
import dev.kiln.passes.util.Consts;
import dev.kiln.passes.util.TensorBridge;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one fusion group both ways on the same inputs: its block as a standalone graph on the reference interpreter
 * (eager kernels), and its lowered kernel on the {@link KernelInterpreter} (an epilogue group's anchor through the
 * {@link Dispatcher}). Tests compare the two.
 */
public final class GroupCheck {
    private GroupCheck() {}

    /** The group's block copied into a graph of its own: the block's parameters become the graph's inputs. */
    public static Graph standalone(Node fused) {
        Block b = fused.blocks().get(0);
        Graph g = new Graph();
        Map<Value, Value> map = new IdentityHashMap<>();
        for (Value p : b.params()) map.put(p, g.addInput(p.name(), p.type()));
        for (Node n : b.nodes()) {
            if (n.kind() instanceof NodeKind.ConstRef r) g.putConstant(r.key(), fused.graph().constant(r.key()));
            List<Value> in = new ArrayList<>();
            for (Value v : n.inputs()) in.add(v == null ? null : map.get(v));
            List<ValueType> types = new ArrayList<>();
            for (Value o : n.outputs()) types.add(o.type());
            Node m = g.create(n.kind()).inputs(in).outputs(types).appendTo(g.topBlock());
            for (int i = 0; i < types.size(); i++) map.put(n.outputs().get(i), m.outputs().get(i));
        }
        List<Value> results = new ArrayList<>();
        for (Value r : b.results()) results.add(map.get(r));
        g.setResults(g.topBlock(), results);
        return g;
    }

    /** The reference: the block run by the interpreter. */
    public static List<Tensor> reference(Node fused, List<Tensor> inputs) {
        return new Interpreter(standalone(fused), Map.of()).run(inputs.toArray(Tensor[]::new));
    }

    /** The lowered kernel run by the kernel interpreter (after the anchor, for an epilogue group). */
    public static List<Tensor> lowered(Node fused, List<Tensor> inputs, Map<String, Long> bindings) {
        LoweredGroup lg = KernelLowering.lower(fused);
        List<Tensor> operands = new ArrayList<>(inputs);
        if (lg.anchor() != null) {
            NodeKind.OpCall c = (NodeKind.OpCall) lg.anchor().kind();
            Block b = fused.blocks().get(0);
            Tensor[] in = new Tensor[lg.anchor().inputs().size()];
            for (int i = 0; i < in.length; i++) {
                Value v = lg.anchor().input(i);
                if (v == null) continue;
                int p = b.params().indexOf(v);
                in[i] = p >= 0 ? inputs.get(p) : TensorBridge.tensor(Consts.of(v), (TensorType) v.type());
            }
            Tensor product = Dispatcher.call(c.op(), c.attrs().evaluate(bindings), in)[0];
            operands.add(lg.anchorOperand(), product);
        }
        return KernelInterpreter.run(lg.kernel(), operands, bindings);
    }
}
