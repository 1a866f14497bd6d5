package dev.kiln.passes.cleanup;

import dev.kiln.ir.OpTrait;
import dev.kiln.ir.graph.Block;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.NodeKind;

/**
 * Which nodes must stay even when nothing uses their outputs: {@code kiln::guard} (its check is its purpose),
 * ops that draw from a random generator (removing one would change which numbers later draws see), and nodes
 * whose blocks hold either.
 */
public final class Effects {
    private Effects() {}

    public static boolean hasEffects(Node n) {
        NodeKind k = n.kind();
        if (k instanceof NodeKind.Guard) return true;
        if (k instanceof NodeKind.OpCall c && c.op().has(OpTrait.RANDOM)) return true;
        for (Block b : n.blocks()) for (Node m : b.nodes()) if (hasEffects(m)) return true;
        return false;
    }
}
