package dev.kiln.ir.graph;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One operation of a graph: a {@link NodeKind}, input values (null for an absent optional input), output values,
 * sub-blocks, and where it came from. Nodes are created, linked and erased only by their {@link Graph}.
 */
public final class Node {
    private final Graph graph;
    private final NodeKind kind;
    private final SourceInfo source;
    /** Mutated only by {@code Graph.updateUse}. */
    final List<Value> inputs = new ArrayList<>();
    final List<Value> outputs = new ArrayList<>();
    final List<Block> blocks = new ArrayList<>();
    /** The block the node is in; null once erased (or before insertion). */
    Block block;

    Node(Graph graph, NodeKind kind, SourceInfo source) {
        this.graph = graph;
        this.kind = kind;
        this.source = source == null ? SourceInfo.NONE : source;
    }

    public Graph graph() { return graph; }

    public NodeKind kind() { return kind; }

    public SourceInfo source() { return source; }

    /** The inputs, unmodifiable and live; an entry is null for an absent optional input. */
    public List<Value> inputs() { return Collections.unmodifiableList(inputs); }

    public Value input(int i) { return inputs.get(i); }

    public List<Value> outputs() { return Collections.unmodifiableList(outputs); }

    public Value output() {
        if (outputs.size() != 1) {
            throw new IllegalStateException(kind.name() + " has " + outputs.size() + " outputs, not one");
        }
        return outputs.get(0);
    }

    public List<Block> blocks() { return Collections.unmodifiableList(blocks); }

    /** The block holding this node, or null when it has been erased. */
    public Block block() { return block; }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Value v : outputs) sb.append(sb.length() == 0 ? "" : ", ").append(v);
        return (sb.length() > 0 ? sb + " = " : "") + kind.name();
    }
}
