package dev.kiln.eager.interp;

import dev.kiln.ir.graph.Block;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.Value;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * For one block: after which node each value defined in it (parameters and node outputs) is dead, as JAX's
 * interpreter frees a variable after its last use. A use inside a sub-block counts as a use by the sub-block's
 * owner in this block; the block's results live on (the caller takes them), and an unused output dies at once.
 */
final class Liveness {
    private Liveness() {}

    /** Node → values to drop once it has run. */
    static Map<Node, List<Value>> deaths(Block b) {
        Map<Value, Node> last = new IdentityHashMap<>();
        for (Node n : b.nodes()) {
            for (Value o : n.outputs()) last.put(o, n);
            touch(n, n, last);
        }
        // Values of enclosing blocks are theirs to free; results are the caller's.
        last.keySet().removeIf(v -> !(v.parameterOf() == b || v.producer() != null && v.producer().block() == b));
        for (Value r : b.results()) last.remove(r);
        Map<Node, List<Value>> out = new IdentityHashMap<>();
        for (Map.Entry<Value, Node> e : last.entrySet()) {
            out.computeIfAbsent(e.getValue(), k -> new ArrayList<>()).add(e.getKey());
        }
        return out;
    }

    /** Marks every input of {@code n} and of the nodes inside its blocks as used at {@code at}. */
    private static void touch(Node n, Node at, Map<Value, Node> last) {
        for (Value v : n.inputs()) if (v != null) last.put(v, at);
        for (Block sub : n.blocks()) {
            for (Node m : sub.nodes()) touch(m, at, last);
            for (Value v : sub.results()) last.put(v, at);
        }
    }
}
