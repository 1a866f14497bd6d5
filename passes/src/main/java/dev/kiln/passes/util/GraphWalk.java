package dev.kiln.passes.util;

import dev.kiln.ir.graph.Block;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.graph.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Snapshots of a graph's blocks and nodes, safe to iterate while the graph is being rewritten. */
public final class GraphWalk {
    private GraphWalk() {}

    /** Every block: the top block first, then sub-blocks in program order (pre-order). */
    public static List<Block> blocks(Graph g) {
        List<Block> out = new ArrayList<>();
        collect(g.topBlock(), out);
        return out;
    }

    private static void collect(Block b, List<Block> out) {
        out.add(b);
        for (Node n : b.nodes()) for (Block sub : n.blocks()) collect(sub, out);
    }

    /** Every node of every block, pre-order (a node before the nodes of its blocks). */
    public static List<Node> nodes(Graph g) {
        List<Node> out = new ArrayList<>();
        forEach(g.topBlock(), out::add);
        return out;
    }

    private static void forEach(Block b, Consumer<Node> f) {
        for (Node n : new ArrayList<>(b.nodes())) {
            f.accept(n);
            for (Block sub : n.blocks()) forEach(sub, f);
        }
    }

    /** Whether {@code n} is still in a block (not erased by an earlier rewrite in the same sweep). */
    public static boolean live(Node n) { return n.block() != null; }
}
