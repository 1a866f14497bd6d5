package dev.kiln.passes.freeze;

import dev.kiln.ir.Op;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.NodeKind;
import dev.kiln.passes.Counters;
import dev.kiln.passes.Pass;
import dev.kiln.passes.PassResult;
import dev.kiln.passes.util.GraphWalk;
import dev.kiln.passes.util.Rewrites;

/**
 * Removes {@code aten::dropout(x, train=false)}: in eval mode dropout draws nothing and returns its input's values,
 * so its uses may read {@code x} directly. Training-mode dropout (it draws a mask) is left alone. Counter:
 * {@code removed}.
 */
public final class RemoveEvalDropout implements Pass {
    @Override
    public String name() { return "remove-dropout"; }

    @Override
    public PassResult run(Graph graph) {
        Counters c = new Counters();
        for (Node n : GraphWalk.nodes(graph)) {
            if (n.kind() instanceof NodeKind.OpCall call && call.op() == Op.DROPOUT
                    && !call.attrs().getBool("train") && n.output().type().equals(n.input(0).type())) {
                Rewrites.replaceWithValue(n, n.input(0));
                c.add("removed");
            }
        }
        return PassResult.of(c);
    }
}
