package dev.kiln.passes.fusion;

import dev.kiln.ir.graph.Block;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.NodeKind;
import dev.kiln.ir.graph.Use;
import dev.kiln.ir.graph.Value;
import dev.kiln.ir.type.Shape;
import dev.kiln.ir.type.TensorType;
import dev.kiln.passes.Counters;
import dev.kiln.passes.Pass;
import dev.kiln.passes.PassResult;
import dev.kiln.passes.util.GraphWalk;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Loop fusion: elementwise ops over one iteration domain (broadcast inputs and scalar constants included) become one
 * {@code kiln::fused} group, which may hold one reduction along one axis: a group may end in a sum or mean, or hold
 * a softmax, log_softmax or layer_norm with elementwise ops before and after it. Groups grow backwards from a root
 * (the last node), absorbing producers; a producer joins when every use of it is in the group or after the root, so
 * the fusion node can replace the root in place and no dependency leaves the group and returns. Members must
 * produce the domain's shape exactly (a smaller intermediate stays outside as a broadcast input). Groups need at
 * least two ops. Counters: {@code groups}, {@code nodes}.
 */
public final class FuseLoops implements Pass {
    @Override
    public String name() { return "fuse-loops"; }

    @Override
    public PassResult run(Graph graph) {
        Counters c = new Counters();
        for (Block b : GraphWalk.blocks(graph)) {
            if (b.owner() != null && b.owner().kind() instanceof NodeKind.Fused) continue;
            List<Node> nodes = new ArrayList<>(b.nodes());
            for (int i = nodes.size() - 1; i >= 0; i--) {
                Node root = nodes.get(i);
                if (!GraphWalk.live(root)) continue;
                List<Node> group = grow(root, b);
                if (group == null || group.size() < 2) continue;
                GroupOutliner.outline(group, NodeKind.Fused.Group.LOOP);
                c.add("groups");
                c.add("nodes", group.size());
            }
        }
        return PassResult.of(c);
    }

    /** The group rooted at {@code root}, in program order, or null when {@code root} cannot root one. */
    private static List<Node> grow(Node root, Block b) {
        Shape domain;
        boolean hasReduction;
        if (Fusible.pointwise(root)) {
            domain = Fusible.shape(root);
            hasReduction = false;
        } else if (Fusible.reductionAxis(root) >= 0) {
            domain = ((TensorType) root.input(0).type()).shape();
            hasReduction = true;
        } else {
            return null;
        }
        Map<Node, Integer> position = new HashMap<>();
        for (int i = 0; i < b.nodes().size(); i++) position.put(b.nodes().get(i), i);
        int rootAt = position.get(root);
        Set<Node> members = new HashSet<>(List.of(root));
        boolean grew = true;
        while (grew) {
            grew = false;
            for (Node m : new ArrayList<>(members)) {
                for (Value v : m.inputs()) {
                    Node p = v == null ? null : v.producer();
                    if (p == null || members.contains(p) || p.block() != b) continue;
                    boolean reduction = !hasReduction && Fusible.FULL_SHAPE_REDUCTIONS.contains(Fusible.op(p))
                            && Fusible.reductionAxis(p) >= 0;
                    if (!(Fusible.pointwise(p) || reduction) || !Fusible.shape(p).equals(domain)) continue;
                    if (!usesAfter(p, members, position, rootAt)) continue;
                    members.add(p);
                    hasReduction |= reduction;
                    grew = true;
                }
            }
        }
        List<Node> ordered = new ArrayList<>(members);
        ordered.sort((x, y) -> Integer.compare(position.get(x), position.get(y)));
        return ordered;
    }

    /** Whether every use of {@code p}'s outputs is a member or comes after the root (in program order). */
    private static boolean usesAfter(Node p, Set<Node> members, Map<Node, Integer> position, int rootAt) {
        for (Value o : p.outputs()) {
            for (Use u : o.uses()) {
                if (members.contains(u.user())) continue;
                Node at = ancestorIn(u.user(), p.block());
                if (at != null && position.get(at) <= rootAt) return false;
            }
        }
        return true;
    }

    /** The node of {@code b} that is or contains {@code n}; null for {@code b}'s return node (after everything). */
    private static Node ancestorIn(Node n, Block b) {
        for (Node cur = n; cur != null; cur = cur.block().owner()) {
            if (cur.block() == b) return cur.kind() instanceof NodeKind.Return ? null : cur;
        }
        return null;
    }
}
