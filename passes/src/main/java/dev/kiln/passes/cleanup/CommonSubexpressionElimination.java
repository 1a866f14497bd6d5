package dev.kiln.passes.cleanup;

import dev.kiln.ir.Op;
import dev.kiln.ir.OpTrait;
import dev.kiln.ir.graph.Block;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.NodeKind;
import dev.kiln.ir.graph.Value;
import dev.kiln.ir.type.ValueType;
import dev.kiln.passes.Counters;
import dev.kiln.passes.Pass;
import dev.kiln.passes.PassResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Common subexpression elimination: a node equal to an earlier node in the same or an enclosing block (same kind,
 * attributes and inputs, same output types) is replaced by it. Equal constants merge by value. Commutative ops
 * compare with their two inputs in either order ({@code aten::add} only when {@code alpha} is 1, since
 * {@code a + alpha*b} is not symmetric). Never merged: random ops (two draws differ), guards, and nodes with blocks.
 * Inside a {@code kiln::fused} block the table starts empty, because a group must stay closed. Counter:
 * {@code merged}.
 */
public final class CommonSubexpressionElimination implements Pass {
    @Override
    public String name() { return "cse"; }

    @Override
    public PassResult run(Graph graph) {
        Counters c = new Counters();
        block(graph.topBlock(), new HashMap<>(), c);
        return PassResult.of(c);
    }

    /** A node's identity for merging: its kind (records compare attributes and data) and inputs by identity. */
    private record Key(NodeKind kind, List<Object> inputs, List<ValueType> types) {
    }

    private void block(Block b, Map<Key, Node> outer, Counters c) {
        Map<Key, Node> seen = new HashMap<>(outer);
        for (Node n : new ArrayList<>(b.nodes())) {
            if (!n.blocks().isEmpty()) {
                for (Block sub : n.blocks()) {
                    block(sub, n.kind() instanceof NodeKind.Fused ? new HashMap<>() : seen, c);
                }
                continue;
            }
            if (!mergeable(n)) continue;
            Key key = key(n);
            Node earlier = seen.get(key);
            if (earlier == null) {
                seen.put(key, n);
                continue;
            }
            for (int i = 0; i < n.outputs().size(); i++) {
                b.graph().replaceAllUsesWith(n.outputs().get(i), earlier.outputs().get(i));
            }
            b.graph().erase(n);
            c.add("merged");
        }
    }

    private static boolean mergeable(Node n) {
        NodeKind k = n.kind();
        if (k instanceof NodeKind.Guard || k instanceof NodeKind.Return) return false;
        return !(k instanceof NodeKind.OpCall call && call.op().has(OpTrait.RANDOM));
    }

    private static Key key(Node n) {
        List<Object> in = new ArrayList<>();
        for (Value v : n.inputs()) in.add(v == null ? Absent.NONE : new Identity(v));
        if (n.kind() instanceof NodeKind.OpCall call && isSymmetric(call) && in.size() == 2
                && ((Identity) in.get(0)).v.name().compareTo(((Identity) in.get(1)).v.name()) > 0) {
            in = List.of(in.get(1), in.get(0));
        }
        List<ValueType> types = new ArrayList<>();
        for (Value v : n.outputs()) types.add(v.type());
        return new Key(n.kind(), in, types);
    }

    private static boolean isSymmetric(NodeKind.OpCall call) {
        if (!call.op().has(OpTrait.COMMUTATIVE)) return false;
        return call.op() != Op.ADD || Long.valueOf(1).equals(call.attrs().getScalar("alpha"));
    }

    /** Values compare by identity, not by name or structure. */
    private record Identity(Value v) {
        @Override
        public boolean equals(Object o) { return o instanceof Identity i && i.v == v; }

        @Override
        public int hashCode() { return System.identityHashCode(v); }
    }

    private enum Absent { NONE }
}
