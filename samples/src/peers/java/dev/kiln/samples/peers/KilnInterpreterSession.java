package dev.kiln.samples.peers;

import dev.kiln.eager.Parallel;
import dev.kiln.eager.Tensor;
import dev.kiln.eager.autograd.GradMode;
import dev.kiln.eager.nn.Module;
import dev.kiln.tracer.TraceOptions;
import dev.kiln.tracer.TracedModule;
import dev.kiln.tracer.Tracer;
import java.util.ArrayList;
import java.util.List;

/**
 * Kiln's traced graph run by the reference interpreter ({@code dev.kiln.eager.interp.Interpreter}). The model is
 * traced once on the example the session is checked or timed with ({@link #traceOn}); it may then be run on
 * other inputs ({@link #runOn}), where guards and specialised sizes refuse what the trace does not cover.
 */
final class KilnInterpreterSession implements EngineSession {
    private final TracedModule traced;
    private final Tensor[] inputs;

    private KilnInterpreterSession(TracedModule traced, Tensor[] inputs) {
        this.traced = traced;
        this.inputs = inputs;
    }

    static KilnInterpreterSession open(PeerCase c, PeerInput input, int threads) {
        Parallel.setNumThreads(threads);
        return new KilnInterpreterSession(traceOn(c, input), input.tensors().toArray(Tensor[]::new));
    }

    /** Traces the case's Java model (PyTorch weights, eval mode) on {@code example}; tracer warnings are dropped. */
    static TracedModule traceOn(PeerCase c, PeerInput example) {
        Module model = c.javaModel().load(c.dir());
        List<String> warnings = new ArrayList<>();
        TraceOptions options = TraceOptions.defaults().withWarnings(warnings::add);
        return Tracer.trace(model, options, example.tensors().toArray(Tensor[]::new));
    }

    /** Runs an existing trace on other inputs (used by the correctness checks on {@code input1}). */
    static List<Tensor> runOn(TracedModule traced, PeerInput input) {
        try (var noGrad = GradMode.noGrad()) {
            return traced.run(input.tensors().toArray(Tensor[]::new));
        }
    }

    @Override
    public List<Tensor> run() {
        try (var noGrad = GradMode.noGrad()) {
            return traced.run(inputs);
        }
    }

    @Override
    public List<Tensor> runOn(PeerInput other) { return runOn(traced, other); }

    @Override
    public void close() {}
}
