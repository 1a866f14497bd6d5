package dev.kiln.ir.graph;

import dev.kiln.ir.IrException;
import dev.kiln.ir.type.Shape;
import dev.kiln.ir.type.TensorType;
import dev.kiln.ir.type.ValueType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An SSA program: a top {@link Block} whose parameters are the graph's inputs and whose results its outputs, plus
 * a table of large constants ({@link NodeKind.ConstRef} refers to it by key).
 *
 * <p>The graph owns every mutation: it creates values and nodes ({@link #create}), names them (names are unique
 * across the whole graph, including sub-blocks), links inputs ({@link #setInput}, {@link #setResults}) and erases
 * nodes. Use-lists change in exactly one place, the private {@link #updateUse}, so they stay exact: a value's uses
 * are precisely the node inputs that refer to it. Structural invariants the API cannot enforce on its own
 * (definition before use, types, arity) are checked by {@code GraphVerifier}.
 */
public final class Graph {
    private final Block top = new Block(this, null);
    private final Set<String> names = new HashSet<>();
    private final Map<String, TensorData> constants = new LinkedHashMap<>();
    private int nextId;

    /** The top-level block. */
    public Block topBlock() { return top; }

    public List<Value> inputs() { return top.params(); }

    public List<Value> outputs() { return top.results(); }

    /** Adds a graph input named {@code name} (made unique), of {@code type}. */
    public Value addInput(String name, ValueType type) { return addParameter(top, name, type); }

    /** Adds a parameter to {@code block}; {@code name} null picks the next free number. */
    public Value addParameter(Block block, String name, ValueType type) {
        requireOwn(block);
        Value v = new Value(this, null, block, block.params.size(), claimName(name), Objects.requireNonNull(type));
        block.params.add(v);
        return v;
    }

    /**
     * Appends an output of {@code type} to {@code node}; {@code name} null picks the next free number. For
     * structured nodes ({@code kiln::cond}, {@code kiln::scan}) whose result types are known only once their
     * blocks have been built.
     */
    public Value addOutput(Node node, String name, ValueType type) {
        requireOwn(node);
        Value v = new Value(this, node, null, node.outputs.size(), claimName(name), Objects.requireNonNull(type));
        node.outputs.add(v);
        return v;
    }

    /** Starts building a node of {@code kind}; finish with {@link NodeBuilder#appendTo} or an insert method. */
    public NodeBuilder create(NodeKind kind) {
        if (kind instanceof NodeKind.Return) throw new IrException("return nodes belong to blocks; use setResults");
        return new NodeBuilder(Objects.requireNonNull(kind));
    }

    /** Points input {@code index} of {@code node} at {@code value} (null: absent optional input). */
    public void setInput(Node node, int index, Value value) {
        requireOwn(node);
        Objects.checkIndex(index, node.inputs.size());
        if (value != null) requireOwn(value);
        updateUse(node, index, value);
    }

    /** Makes {@code results} the results of {@code block} (for the top block: the graph's outputs). */
    public void setResults(Block block, List<Value> results) {
        requireOwn(block);
        Node ret = block.returnNode;
        for (int i = ret.inputs.size() - 1; i >= 0; i--) updateUse(ret, i, null);
        ret.inputs.clear();
        for (Value v : results) {
            requireOwn(Objects.requireNonNull(v, "block result"));
            ret.inputs.add(null);
            updateUse(ret, ret.inputs.size() - 1, v);
        }
    }

    /** Sets the graph's outputs. */
    public void setOutputs(Value... outputs) { setResults(top, Arrays.asList(outputs)); }

    /** Redirects every use of {@code old} to {@code replacement}, as FX's {@code replace_all_uses_with}. */
    public void replaceAllUsesWith(Value old, Value replacement) {
        requireOwn(old);
        requireOwn(replacement);
        if (old == replacement) return;
        for (Use u : new ArrayList<>(old.uses)) updateUse(u.user(), u.index(), replacement);
    }

    /**
     * Removes {@code node} and its sub-blocks. Refuses while any value it defines (outputs, and values inside its
     * blocks) is used outside it; its own input uses are unlinked.
     */
    public void erase(Node node) {
        requireOwn(node);
        if (node.kind() instanceof NodeKind.Return) throw new IrException("a block's return node cannot be erased");
        if (node.block == null) throw new IrException("node " + node + " is already erased");
        Set<Node> inside = new HashSet<>();
        List<Value> defined = new ArrayList<>(node.outputs);
        collectInside(node, inside, defined);
        for (Value v : defined) {
            for (Use u : v.uses) {
                if (u.user() != node && !inside.contains(u.user())) {
                    throw new IrException("cannot erase " + node + ": " + v + " is still used by " + u.user()
                            + " (input " + u.index() + ")");
                }
            }
        }
        for (Node m : inside) unlinkInputs(m);
        unlinkInputs(node);
        node.block.nodes.remove(node);
        node.block = null;
        for (Value v : defined) names.remove(v.name);
    }

    private static void collectInside(Node node, Set<Node> inside, List<Value> defined) {
        for (Block b : node.blocks) {
            defined.addAll(b.params);
            inside.add(b.returnNode);
            for (Node m : b.nodes) {
                inside.add(m);
                defined.addAll(m.outputs);
                collectInside(m, inside, defined);
            }
        }
    }

    private void unlinkInputs(Node n) {
        for (int i = 0; i < n.inputs.size(); i++) updateUse(n, i, null);
    }

    /** Renames {@code value}; the new name must be free and valid. */
    public void rename(Value value, String name) {
        requireOwn(value);
        if (name.equals(value.name)) return;
        if (!isValidName(name)) throw new IrException("bad value name '" + name + "'");
        if (names.contains(name)) throw new IrException("value name %" + name + " is already taken");
        names.remove(value.name);
        names.add(name);
        value.name = name;
    }

    /** Changes the recorded type of {@code value} (for passes that refine types); the verifier re-checks it. */
    public void setType(Value value, ValueType type) {
        requireOwn(value);
        value.type = Objects.requireNonNull(type);
    }

    // ---- constant table ----

    /**
     * Appends a constant to {@code block}: inline when it has at most {@link NodeKind.Const#INLINE_LIMIT}
     * elements, else stored in the constant table under a fresh key ({@code c0}, {@code c1}, ...) and referred to.
     * {@code wrappedNumber} marks a 0-d constant that stands for a Java scalar.
     */
    public Node appendConstant(Block block, TensorData data, boolean wrappedNumber) {
        NodeKind kind;
        if (data.numel() <= NodeKind.Const.INLINE_LIMIT) {
            kind = new NodeKind.Const(data);
        } else {
            String key;
            int k = constants.size();
            do key = "c" + k++; while (constants.containsKey(key));
            putConstant(key, data);
            kind = new NodeKind.ConstRef(key);
        }
        TensorType type = new TensorType(data.dtype(), Shape.of(data.shape()), wrappedNumber);
        return create(kind).outputs(type).appendTo(block);
    }

    /** Stores {@code data} under {@code key} (a value-name-like identifier), replacing any previous entry. */
    public void putConstant(String key, TensorData data) {
        if (!isValidName(key)) throw new IrException("bad constant key '" + key + "'");
        constants.put(key, Objects.requireNonNull(data));
    }

    /** Drops the table entry {@code key} (for dead-code passes); the caller ensures no {@code const(@key)} uses it. */
    public void removeConstant(String key) { constants.remove(key); }

    /** The constant stored under {@code key}, or null. */
    public TensorData constant(String key) { return constants.get(key); }

    /** The constant table, in insertion order; unmodifiable. */
    public Map<String, TensorData> constants() { return Collections.unmodifiableMap(constants); }

    // ---- naming ----

    /** Whether {@code name} may name a value: letters, digits, {@code _} and {@code .}, not starting with a dot. */
    public static boolean isValidName(String name) {
        if (name == null || name.isEmpty() || name.charAt(0) == '.') return false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(c < 128 && (Character.isLetterOrDigit(c) || c == '_' || c == '.'))) return false;
        }
        return true;
    }

    private String claimName(String hint) {
        String name;
        if (hint == null) {
            do name = Integer.toString(nextId++); while (names.contains(name));
        } else {
            if (!isValidName(hint)) throw new IrException("bad value name '" + hint + "'");
            name = hint;
            for (int k = 1; names.contains(name); k++) name = hint + "_" + k;
        }
        names.add(name);
        return name;
    }

    // ---- the one use-list updater ----

    /** Sets {@code user.inputs[index] = value}, moving the use from the old value's list to the new one's. */
    private void updateUse(Node user, int index, Value value) {
        Value old = user.inputs.get(index);
        if (old == value) return;
        if (old != null) {
            boolean removed = old.uses.remove(new Use(user, index));
            assert removed : "use-list out of sync for " + old;
        }
        user.inputs.set(index, value);
        if (value != null) value.uses.add(new Use(user, index));
    }

    private void requireOwn(Value v) {
        if (v.graph() != this) throw new IrException("value " + v + " belongs to another graph");
    }

    private void requireOwn(Node n) {
        if (n.graph() != this) throw new IrException("node " + n + " belongs to another graph");
    }

    private void requireOwn(Block b) {
        if (b.graph() != this) throw new IrException("block belongs to another graph");
    }

    /**
     * Collects a node's inputs, output types and names, source info and number of sub-blocks, then creates it at
     * the chosen position. Inputs may contain null for absent optional inputs.
     */
    public final class NodeBuilder {
        private final NodeKind kind;
        private List<Value> inputs = List.of();
        private List<? extends ValueType> outputTypes = List.of();
        private List<String> outputNames = List.of();
        private SourceInfo source = SourceInfo.NONE;
        private int blockCount;

        private NodeBuilder(NodeKind kind) { this.kind = kind; }

        public NodeBuilder inputs(Value... values) { return inputs(Arrays.asList(values)); }

        public NodeBuilder inputs(List<Value> values) {
            this.inputs = new ArrayList<>(values);
            return this;
        }

        public NodeBuilder outputs(ValueType... types) { return outputs(Arrays.asList(types)); }

        public NodeBuilder outputs(List<? extends ValueType> types) {
            this.outputTypes = List.copyOf(types);
            return this;
        }

        /** Output names (made unique); missing or null entries get fresh numbers. */
        public NodeBuilder names(String... names) {
            this.outputNames = Arrays.asList(names);
            return this;
        }

        public NodeBuilder source(SourceInfo info) {
            this.source = info == null ? SourceInfo.NONE : info;
            return this;
        }

        /** Gives the node {@code n} empty sub-blocks, to be filled through the graph. */
        public NodeBuilder blocks(int n) {
            this.blockCount = n;
            return this;
        }

        public Node appendTo(Block block) {
            requireOwn(block);
            return insert(block, block.nodes.size());
        }

        public Node insertBefore(Node anchor) { return insert(liveBlockOf(anchor), anchor.block.nodes.indexOf(anchor)); }

        public Node insertAfter(Node anchor) {
            return insert(liveBlockOf(anchor), anchor.block.nodes.indexOf(anchor) + 1);
        }

        private Block liveBlockOf(Node anchor) {
            requireOwn(anchor);
            if (anchor.block == null || anchor.kind() instanceof NodeKind.Return) {
                throw new IrException("cannot insert next to " + anchor + ": it is not in a block's node list");
            }
            return anchor.block;
        }

        private Node insert(Block block, int position) {
            for (Value v : inputs) if (v != null) requireOwn(v);
            Node n = new Node(Graph.this, kind, source);
            for (int i = 0; i < outputTypes.size(); i++) {
                String hint = i < outputNames.size() ? outputNames.get(i) : null;
                n.outputs.add(new Value(Graph.this, n, null, i, claimName(hint),
                        Objects.requireNonNull(outputTypes.get(i), "output type")));
            }
            for (int i = 0; i < blockCount; i++) n.blocks.add(new Block(Graph.this, n));
            for (Value v : inputs) {
                n.inputs.add(null);
                updateUse(n, n.inputs.size() - 1, v);
            }
            n.block = block;
            block.nodes.add(position, n);
            return n;
        }
    }
}
