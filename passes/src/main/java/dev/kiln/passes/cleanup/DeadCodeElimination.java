package dev.kiln.passes.cleanup;

import dev.kiln.ir.graph.Block;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.NodeKind;
import dev.kiln.ir.graph.Value;
import dev.kiln.passes.Counters;
import dev.kiln.passes.Pass;
import dev.kiln.passes.PassResult;
import dev.kiln.passes.util.GraphWalk;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Dead code elimination: erases nodes none of whose outputs is used, walking each block backwards so a chain of
 * dead nodes goes in one sweep, then drops constant-table entries no {@code const(@key)} refers to any more.
 * Sound because the IR is functional: a node without effects ({@link Effects}) is observable only through its
 * outputs. Guards, random ops and blocks holding them are never removed. Counters: {@code removed},
 * {@code constants-dropped}.
 */
public final class DeadCodeElimination implements Pass {
    @Override
    public String name() { return "dce"; }

    @Override
    public PassResult run(Graph graph) {
        Counters c = new Counters();
        sweep(graph.topBlock(), c);
        Set<String> used = new HashSet<>();
        for (Node n : GraphWalk.nodes(graph)) if (n.kind() instanceof NodeKind.ConstRef r) used.add(r.key());
        for (String key : new ArrayList<>(graph.constants().keySet())) {
            if (!used.contains(key)) {
                graph.removeConstant(key);
                c.add("constants-dropped");
            }
        }
        return PassResult.of(c);
    }

    private void sweep(Block b, Counters c) {
        List<Node> nodes = new ArrayList<>(b.nodes());
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            if (!isUsed(n) && !Effects.hasEffects(n)) {
                b.graph().erase(n);
                c.add("removed");
            } else {
                for (Block sub : n.blocks()) sweep(sub, c);
            }
        }
    }

    private static boolean isUsed(Node n) {
        for (Value v : n.outputs()) if (v.hasUses()) return true;
        return false;
    }
}
