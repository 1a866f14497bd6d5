package dev.kiln.passes.fusion;

import dev.kiln.ir.graph.Block;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.NodeKind;
import dev.kiln.ir.graph.Use;
import dev.kiln.ir.graph.Value;
import dev.kiln.ir.type.ValueType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Moves a set of nodes of one block into a new fusion node's closed block. The fusion node is inserted just
 * before the group's last node (the root): its inputs are the values members use that are defined outside the
 * group (small inline constants are copied in instead), its outputs the member values used outside the group,
 * which keep their names. Callers guarantee that nothing outside the group uses a member value before the root
 * and that no path leaves the group and comes back (both follow when every outside user comes after the root).
 */
final class GroupOutliner {
    private GroupOutliner() {}

    /** Outlines {@code members} (program order, the last one the root) as a {@code kind} group; returns the node. */
    static Node outline(List<Node> members, NodeKind.Fused.Group kind) {
        Node root = members.get(members.size() - 1);
        Graph g = root.graph();
        Set<Node> set = new HashSet<>(members);
        Set<Value> external = new LinkedHashSet<>();
        List<Value> escaping = new ArrayList<>();
        for (Node m : members) {
            for (Value v : m.inputs()) {
                if (v != null && !set.contains(v.producer()) && !isInlineConstant(v)) external.add(v);
            }
            for (Value o : m.outputs()) if (usedOutside(o, set)) escaping.add(o);
        }
        List<ValueType> outTypes = new ArrayList<>();
        for (Value v : escaping) outTypes.add(v.type());
        String[] names = new String[escaping.size()];
        for (int i = 0; i < names.length; i++) names[i] = rename(g, escaping.get(i));
        Node fused = g.create(new NodeKind.Fused(kind)).inputs(new ArrayList<>(external)).outputs(outTypes)
                .names(names).source(root.source()).blocks(1).insertBefore(root);
        Block body = fused.blocks().get(0);
        Map<Value, Value> inner = new IdentityHashMap<>();
        for (Value v : external) inner.put(v, g.addParameter(body, null, v.type()));
        for (Node m : members) {
            List<Value> in = new ArrayList<>();
            for (Value v : m.inputs()) in.add(v == null ? null : inner.computeIfAbsent(v, c -> copyConstant(body, c)));
            List<ValueType> types = new ArrayList<>();
            for (Value o : m.outputs()) types.add(o.type());
            Node copy = g.create(m.kind()).inputs(in).outputs(types).source(m.source()).appendTo(body);
            for (int i = 0; i < types.size(); i++) inner.put(m.outputs().get(i), copy.outputs().get(i));
        }
        List<Value> results = new ArrayList<>();
        for (Value v : escaping) results.add(inner.get(v));
        g.setResults(body, results);
        for (int i = 0; i < escaping.size(); i++) g.replaceAllUsesWith(escaping.get(i), fused.outputs().get(i));
        for (int i = members.size() - 1; i >= 0; i--) g.erase(members.get(i));
        return fused;
    }

    /** Inline constants (at most {@code Const.INLINE_LIMIT} elements) are copied into groups, not passed in. */
    static boolean isInlineConstant(Value v) { return v.producer() != null && v.producer().kind() instanceof NodeKind.Const; }

    private static Value copyConstant(Block body, Value c) {
        Node p = c.producer();
        return body.graph().create(p.kind()).outputs(c.type()).source(p.source()).appendTo(body).output();
    }

    private static boolean usedOutside(Value v, Set<Node> set) {
        for (Use u : v.uses()) if (!set.contains(u.user())) return true;
        return false;
    }

    /** Frees {@code v}'s name for the fusion output (renaming {@code v} aside) and returns it. */
    private static String rename(Graph g, Value v) {
        String name = v.name();
        String aside = name + ".unfused";
        for (int k = 1; !tryRename(g, v, aside); k++) aside = name + ".unfused" + k;
        return name;
    }

    private static boolean tryRename(Graph g, Value v, String name) {
        try {
            g.rename(v, name);
            return true;
        } catch (RuntimeException taken) {
            return false;
        }
    }
}
