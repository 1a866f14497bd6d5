package dev.kiln.ir.graph;

import dev.kiln.ir.type.ValueType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An SSA value: an output of a {@link Node} or a parameter of a {@link Block} (the graph's inputs are the
 * parameters of its top block). Values are created and named only by their {@link Graph}.
 *
 * <p>Invariant: {@link #uses()} lists exactly the (node, input index) pairs whose input is this value, in the order
 * they were linked. Only {@link Graph}'s private use updater changes it.
 */
public final class Value {
    private final Graph graph;
    private final Node producer;
    private final Block ownerBlock;
    private final int index;
    String name;
    ValueType type;
    /** Mutated only by {@code Graph.updateUse}. */
    final List<Use> uses = new ArrayList<>();

    Value(Graph graph, Node producer, Block ownerBlock, int index, String name, ValueType type) {
        this.graph = graph;
        this.producer = producer;
        this.ownerBlock = ownerBlock;
        this.index = index;
        this.name = name;
        this.type = type;
    }

    public Graph graph() { return graph; }

    /** The name without {@code %}, unique in the graph. */
    public String name() { return name; }

    public ValueType type() { return type; }

    /** The node that defines this value, or null for a block parameter. */
    public Node producer() { return producer; }

    /** The block this is a parameter of, or null for a node output. */
    public Block parameterOf() { return ownerBlock; }

    /** The output index in {@link #producer()} or the parameter index in {@link #parameterOf()}. */
    public int index() { return index; }

    /** The uses, unmodifiable and live. */
    public List<Use> uses() { return Collections.unmodifiableList(uses); }

    public boolean hasUses() { return !uses.isEmpty(); }

    @Override
    public String toString() { return "%" + name; }
}
