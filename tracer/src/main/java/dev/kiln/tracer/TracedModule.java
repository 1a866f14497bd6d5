package dev.kiln.tracer;

import dev.kiln.eager.Tensor;
import dev.kiln.eager.interp.Interpreter;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.text.IrPrinter;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A traced model: its graph plus the parameters and buffers the graph's {@code param} nodes name (by state-dict
 * key, sharing storage with the model that was traced). {@link #forward} runs the graph with the reference
 * interpreter; {@link #toString} is the graph's IR text. Thread-safe for concurrent {@code forward} calls.
 */
public final class TracedModule {
    private final Graph graph;
    private final Map<String, Tensor> parameters;
    private final Outputs outputs;
    private final Interpreter interpreter;
    private final List<String> warnings;

    TracedModule(Graph graph, Map<String, Tensor> parameters, Outputs outputs, TraceOptions options,
            List<String> warnings) {
        this.graph = graph;
        this.parameters = Collections.unmodifiableMap(parameters);
        this.outputs = outputs;
        this.interpreter = new Interpreter(graph, parameters, options.guardPolicy(), options.warnings());
        this.warnings = List.copyOf(warnings);
    }

    /** Runs the graph: a Tensor, a List of tensors or a Map of tensors, as the traced model returned. */
    public Object forward(Tensor... inputs) { return outputs.rebuild(run(inputs)); }

    /** Runs the graph and returns its outputs as a flat list. */
    public List<Tensor> run(Tensor... inputs) { return interpreter.run(inputs); }

    public Graph graph() { return graph; }

    /** Parameters and buffers by state-dict key. */
    public Map<String, Tensor> parameters() { return parameters; }

    /** What the tracer warned about (specialised sizes, unguarded reads, nondeterministic ops). */
    public List<String> warnings() { return warnings; }

    Outputs outputStructure() { return outputs; }

    /** The graph's IR text. */
    @Override
    public String toString() { return IrPrinter.print(graph); }
}
