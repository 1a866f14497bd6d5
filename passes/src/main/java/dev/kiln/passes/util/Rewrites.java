package dev.kiln.passes.util;

import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.NodeKind;
import dev.kiln.ir.graph.TensorData;
import dev.kiln.ir.graph.Value;
import dev.kiln.ir.type.TensorType;
import dev.kiln.ir.type.ValueType;
import java.util.ArrayList;
import java.util.List;

/**
 * Small graph edits shared by passes, all through the {@link Graph} API. Replacements keep the old values' names
 * (the old value is renamed aside first), so a rewritten graph reads like its input and tests can compare text.
 */
public final class Rewrites {
    private Rewrites() {}

    /** Points every use of {@code n}'s single output at {@code replacement} and erases {@code n}. */
    public static void replaceWithValue(Node n, Value replacement) {
        Graph g = n.graph();
        g.replaceAllUsesWith(n.output(), replacement);
        g.erase(n);
    }

    /**
     * Replaces {@code n} by a node of {@code kind} with {@code inputs}, the same output types, names and source,
     * inserted where {@code n} was; returns the new node.
     */
    public static Node replaceNode(Node n, NodeKind kind, List<Value> inputs) {
        List<ValueType> types = new ArrayList<>();
        for (Value v : n.outputs()) types.add(v.type());
        return replaceNode(n, kind, inputs, types);
    }

    /** As {@link #replaceNode(Node, NodeKind, List)} with new output types (for specialisation). */
    public static Node replaceNode(Node n, NodeKind kind, List<Value> inputs, List<? extends ValueType> types) {
        Graph g = n.graph();
        String[] names = freeNames(n);
        Node m = g.create(kind).inputs(inputs).outputs(types).names(names).source(n.source()).insertBefore(n);
        for (int i = 0; i < n.outputs().size(); i++) g.replaceAllUsesWith(n.outputs().get(i), m.outputs().get(i));
        g.erase(n);
        return m;
    }

    /** Inserts a constant node before {@code anchor} holding {@code data} with type {@code type}. */
    public static Value constantBefore(Node anchor, TensorData data, TensorType type, String nameHint) {
        Graph g = anchor.graph();
        NodeKind kind;
        if (data.numel() <= NodeKind.Const.INLINE_LIMIT) {
            kind = new NodeKind.Const(data);
        } else {
            String key = freshConstantKey(g, nameHint == null ? "c" : nameHint);
            g.putConstant(key, data);
            kind = new NodeKind.ConstRef(key);
        }
        return g.create(kind).outputs(type).names(nameHint).source(anchor.source()).insertBefore(anchor).output();
    }

    /** A constant-table key not in use, {@code hint} itself when free. */
    public static String freshConstantKey(Graph g, String hint) {
        String key = hint;
        for (int k = 1; g.constant(key) != null; k++) key = hint + "_" + k;
        return key;
    }

    /** Renames {@code n}'s outputs aside and returns their former names, for a replacement to take. */
    public static String[] freeNames(Node n) {
        Graph g = n.graph();
        String[] names = new String[n.outputs().size()];
        for (int i = 0; i < names.length; i++) {
            Value v = n.outputs().get(i);
            names[i] = v.name();
            String aside = v.name() + ".old";
            for (int k = 1; !tryRename(g, v, aside); k++) aside = v.name() + ".old" + k;
        }
        return names;
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
