package dev.kiln.samples.peers;

import dev.kiln.codegen.jvm.CompileOptions;
import dev.kiln.codegen.jvm.CompiledModule;
import dev.kiln.codegen.jvm.JvmCompiler;
import dev.kiln.eager.Parallel;
import dev.kiln.eager.Tensor;
import dev.kiln.eager.nn.Module;
import dev.kiln.samples.bench.CompiledCases;
import java.util.List;
import java.util.Map;

/**
 * Kiln's compiled JVM backend: the case's Java model traced on the session's input, optimised by the inference
 * pipeline (weights frozen) and compiled by codegen-jvm into one generated class — what {@code ./kiln trace
 * --backend jvm} ships. Compilation happens in {@link #open}; the timed call is {@link CompiledModule#forward}.
 */
final class KilnCompiledSession implements EngineSession {
    private final CompiledModule compiled;
    private final Tensor[] inputs;

    private KilnCompiledSession(CompiledModule compiled, Tensor[] inputs) {
        this.compiled = compiled;
        this.inputs = inputs;
    }

    static KilnCompiledSession open(PeerCase c, PeerInput input, int threads) {
        Parallel.setNumThreads(threads);
        Tensor[] in = input.tensors().toArray(Tensor[]::new);
        CompiledModule m = compileOn(c, in);
        // One call first, as CompiledBench does: a conv anchor's first call with a shape asks for the kernel paths it
        // needs (DirectConv's partial units for outputs narrower than its 16-column units), which closes a ready gate
        // to warm it again; without the call, that warm-up could run inside JMH's measurement.
        m.forward(in);
        // JMH's warm-up (3 x 300 ms) is shorter than Kiln's: without this, forks would time the scalar loops and BLAS
        // forms (and a core busy compiling) instead of the Vector API code (docs/codegen-jvm.md, "Warm-up").
        if (!m.awaitWarm(WARM_TIMEOUT)) {
            System.err.println("kiln-jvm: " + c.name() + ": Vector API code not warm after " + WARM_TIMEOUT.toSeconds()
                    + " s; timing what runs");
        }
        return new KilnCompiledSession(m, in);
    }

    /** How long {@link #open} waits for the compiled module's Vector API code to be compiled. */
    private static final java.time.Duration WARM_TIMEOUT = java.time.Duration.ofSeconds(60);

    private static CompiledModule compileOn(PeerCase c, Tensor[] example) {
        Module model = c.javaModel().load(c.dir());
        return JvmCompiler.compile(CompiledCases.optimised(model, c.dir(), example), Map.of(),
                CompileOptions.defaults());
    }

    @Override
    public List<Tensor> run() { return compiled.forward(inputs); }

    /** The class compiled on this session's input, run on another: it answers right or refuses (guards). */
    @Override
    public List<Tensor> runOn(PeerInput other) { return compiled.forward(other.tensors().toArray(Tensor[]::new)); }

    @Override
    public void close() { compiled.close(); } // frees the packed weights
}
