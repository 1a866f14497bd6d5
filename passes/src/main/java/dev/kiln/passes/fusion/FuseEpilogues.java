package dev.kiln.passes.fusion;

import dev.kiln.ir.graph.Block;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.NodeKind;
import dev.kiln.ir.graph.Use;
import dev.kiln.ir.graph.Value;
import dev.kiln.passes.Counters;
import dev.kiln.passes.Pass;
import dev.kiln.passes.PassResult;
import dev.kiln.passes.util.GraphWalk;
import java.util.ArrayList;
import java.util.List;

/**
 * Epilogue fusion: a linear, matmul, mm, bmm or conv2d followed by a chain of elementwise ops over its result's
 * shape (bias add, activation, residual add) becomes one {@code kiln::fused_epilogue} group, so the epilogue runs
 * on the product while it is still in registers. The chain follows single uses only: each link's result must be
 * used by the next link alone, so the group's only escaping value is the last one and nothing outside the group
 * sits between its nodes' uses. Counters: {@code groups}, {@code nodes} (ops moved into groups).
 */
public final class FuseEpilogues implements Pass {
    @Override
    public String name() { return "fuse-epilogue"; }

    @Override
    public PassResult run(Graph graph) {
        Counters c = new Counters();
        for (Block b : GraphWalk.blocks(graph)) {
            if (b.owner() != null && b.owner().kind() instanceof NodeKind.Fused) continue;
            for (Node n : new ArrayList<>(b.nodes())) {
                if (!GraphWalk.live(n) || !Fusible.ANCHORS.contains(Fusible.op(n))) continue;
                List<Node> chain = chain(n);
                if (chain.size() < 2) continue;
                GroupOutliner.outline(chain, NodeKind.Fused.Group.EPILOGUE);
                c.add("groups");
                c.add("nodes", chain.size());
            }
        }
        return PassResult.of(c);
    }

    private static List<Node> chain(Node anchor) {
        List<Node> chain = new ArrayList<>(List.of(anchor));
        Value cur = anchor.output();
        while (cur.uses().size() == 1) {
            Use u = cur.uses().get(0);
            Node next = u.user();
            if (next.block() != anchor.block() || next.kind() instanceof NodeKind.Return || !Fusible.pointwise(next)
                    || !Fusible.shape(next).equals(Fusible.shape(anchor))) {
                break;
            }
            chain.add(next);
            cur = next.output();
        }
        return chain;
    }
}
