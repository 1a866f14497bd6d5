package dev.kiln.passes.shape;

import dev.kiln.ir.Attrs;
import dev.kiln.ir.graph.Block;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.NodeKind;
import dev.kiln.ir.graph.Value;
import dev.kiln.ir.sym.SymExpr;
import dev.kiln.ir.type.Shape;
import dev.kiln.ir.type.SymIntType;
import dev.kiln.ir.type.TensorType;
import dev.kiln.ir.type.ValueType;
import dev.kiln.passes.Counters;
import dev.kiln.passes.Pass;
import dev.kiln.passes.PassResult;
import dev.kiln.passes.util.GraphWalk;
import dev.kiln.passes.util.Rewrites;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Shape specialisation: where the value of a size symbol is known (a serving batch size, an input with a fixed
 * length), every type and symbolic attribute is rewritten with that value substituted, so the graph is valid only
 * for those sizes and later stages (memory planning, kernels) see static shapes. Symbols not given stay symbolic.
 * Sound as long as the graph is then only run with the given sizes; the interpreter's input binding checks that.
 * Counters: {@code values} (retyped), {@code attrs} (nodes whose attributes were evaluated).
 */
public final class SpecializeShapes implements Pass {
    private final Map<String, SymExpr> bindings = new HashMap<>();

    public SpecializeShapes(Map<String, Long> sizes) {
        sizes.forEach((k, v) -> bindings.put(k, SymExpr.of(v)));
    }

    @Override
    public String name() { return "specialize"; }

    @Override
    public PassResult run(Graph graph) {
        Counters c = new Counters();
        for (Block b : GraphWalk.blocks(graph)) for (Value p : b.params()) retype(graph, p, c);
        for (Node n : GraphWalk.nodes(graph)) {
            for (Value o : n.outputs()) retype(graph, o, c);
            if (n.kind() instanceof NodeKind.OpCall call && call.attrs().isSymbolic()) {
                Attrs.Builder a = Attrs.of(call.op());
                for (Map.Entry<String, Object> e : call.attrs().asMap().entrySet()) {
                    a.set(e.getKey(), substitute(e.getValue()));
                }
                List<Value> in = new ArrayList<>(n.inputs());
                Rewrites.replaceNode(n, new NodeKind.OpCall(call.op(), a.build()), in);
                c.add("attrs");
            }
        }
        return PassResult.of(c);
    }

    private Object substitute(Object attr) {
        if (!(attr instanceof List<?> dims)) return attr;
        List<SymExpr> out = new ArrayList<>();
        for (Object d : dims) out.add(((SymExpr) d).substitute(bindings));
        return out;
    }

    private void retype(Graph g, Value v, Counters c) {
        ValueType t = v.type();
        ValueType s = t;
        if (t instanceof TensorType tt) {
            List<SymExpr> dims = new ArrayList<>();
            for (SymExpr d : tt.shape().dims()) dims.add(d.substitute(bindings));
            s = new TensorType(tt.dtype(), Shape.of(dims), tt.wrappedNumber());
        } else if (t instanceof SymIntType si) {
            s = new SymIntType(si.value().substitute(bindings));
        }
        if (!s.equals(t)) {
            g.setType(v, s);
            c.add("values");
        }
    }
}
