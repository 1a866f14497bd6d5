package dev.kiln.serialization;

import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.graph.Value;
import dev.kiln.ir.type.TensorType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A model's calling convention: its inputs and outputs in positional order, each with a name (given at trace time,
 * {@code x} → {@code logits}) and a tensor type whose shape may hold symbols ({@code f32[B, 784]}).
 *
 * <p>Invariants: names are non-empty and unique within the inputs and within the outputs.
 */
public record Signature(List<Port> inputs, List<Port> outputs) {

    /** One named input or output. */
    public record Port(String name, TensorType type) {
        public Port {
            if (name == null || name.isEmpty()) throw new IllegalArgumentException("empty signature name");
            Objects.requireNonNull(type, "type");
        }

        @Override
        public String toString() { return name + " : " + type; }
    }

    public Signature {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        requireUnique(inputs, "input");
        requireUnique(outputs, "output");
    }

    /** The graph's input and output types, named {@code input0, input1, ...} and {@code output0, output1, ...}. */
    public static Signature defaultFor(Graph graph) {
        return named(graph, names("input", graph.inputs().size()), names("output", graph.outputs().size()));
    }

    /** The graph's input and output types under the given names (one per graph input and output). */
    public static Signature named(Graph graph, List<String> inputNames, List<String> outputNames) {
        return new Signature(ports(graph.inputs(), inputNames, "input"), ports(graph.outputs(), outputNames, "output"));
    }

    /**
     * Throws {@link IllegalArgumentException} unless the ports match {@code graph}'s inputs and outputs in number
     * and type.
     */
    void checkMatches(Graph graph) {
        check(inputs, graph.inputs(), "input");
        check(outputs, graph.outputs(), "output");
    }

    private static void check(List<Port> ports, List<Value> values, String what) {
        if (ports.size() != values.size()) {
            throw new IllegalArgumentException("signature has " + ports.size() + " " + what + "s but the graph has "
                    + values.size());
        }
        for (int i = 0; i < ports.size(); i++) {
            if (!ports.get(i).type().equals(values.get(i).type())) {
                throw new IllegalArgumentException("signature " + what + " " + i + " '" + ports.get(i).name()
                        + "' is " + ports.get(i).type() + " but graph " + what + " " + i + " " + values.get(i)
                        + " is " + values.get(i).type());
            }
        }
    }

    private static List<String> names(String prefix, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(prefix + i);
        return out;
    }

    private static List<Port> ports(List<Value> values, List<String> names, String what) {
        if (names.size() != values.size()) {
            throw new IllegalArgumentException(names.size() + " " + what + " names for " + values.size() + " graph "
                    + what + "s");
        }
        List<Port> out = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            if (!(values.get(i).type() instanceof TensorType t)) {
                throw new IllegalArgumentException("graph " + what + " " + values.get(i) + " is "
                        + values.get(i).type() + "; a model's " + what + "s are tensors");
            }
            out.add(new Port(names.get(i), t));
        }
        return out;
    }

    private static void requireUnique(List<Port> ports, String what) {
        Set<String> seen = new HashSet<>();
        for (Port p : ports) {
            if (!seen.add(p.name())) throw new IllegalArgumentException("duplicate signature " + what + " name '" + p.name() + "'");
        }
    }
}
