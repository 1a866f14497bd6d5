package dev.kiln.ir.graph;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A straight-line list of nodes with parameters and results. The graph's top block holds the program; a node may
 * own sub-blocks (the branches of {@code kiln::cond}).
 *
 * <p>Invariants: every node in {@link #nodes()} has this block as its {@link Node#block()}; the results are the
 * inputs of {@link #returnNode()}, which is not in the node list. Values used in a block are its parameters,
 * values defined earlier in it, or values visible at its owner node (lexical scoping, as in TorchScript).
 */
public final class Block {
    private final Graph graph;
    private final Node owner;
    final List<Value> params = new ArrayList<>();
    final List<Node> nodes = new ArrayList<>();
    final Node returnNode;

    Block(Graph graph, Node owner) {
        this.graph = graph;
        this.owner = owner;
        this.returnNode = new Node(graph, new NodeKind.Return(), SourceInfo.NONE);
        returnNode.block = this;
    }

    public Graph graph() { return graph; }

    /** The node owning this block, or null for the graph's top block. */
    public Node owner() { return owner; }

    public List<Value> params() { return Collections.unmodifiableList(params); }

    /** The nodes in program order, unmodifiable and live. */
    public List<Node> nodes() { return Collections.unmodifiableList(nodes); }

    /** The terminator, whose inputs are the block's results. */
    public Node returnNode() { return returnNode; }

    /** The block's results (the return node's inputs). */
    public List<Value> results() { return returnNode.inputs(); }
}
