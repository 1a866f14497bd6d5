package dev.kiln.samples.bench;

import dev.kiln.codegen.jvm.CompileOptions;
import dev.kiln.codegen.jvm.CompiledModule;
import dev.kiln.codegen.jvm.JvmCompiler;
import dev.kiln.eager.Parallel;
import dev.kiln.eager.Tensor;
import dev.kiln.eager.autograd.GradMode;
import dev.kiln.eager.interp.Interpreter;
import dev.kiln.eager.nn.Module;
import dev.kiln.ir.graph.Graph;
import dev.kiln.samples.ConformanceCase;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Forward latency per conformance case on {@code input0}: Kiln eager (the model's Java code, no autograd), the
 * interpreter running the optimised graph, and the compiled class ({@link JvmCompiler}) — at 1 and 2 threads, in
 * one run. Plus {@code elementwise_chain} traced at 256x65536 against a plain copy of an array of that size (into a
 * preallocated array, and allocating one), the bandwidth target. Run with {@code ./kiln bench-compiled}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx6g", "--add-modules", "jdk.incubator.vector"}) // vector loops: docs/codegen-jvm.md
public class CompiledBench {

    /** One conformance case ready three ways. */
    @State(Scope.Benchmark)
    public static class Case {
        @Param({"mlp", "mynet", "lenet_bn", "elementwise_chain", "transformer_block", "resnet_block", "control_flow",
                "embedding_lstm_like"})
        public String caseName;

        @Param({"1", "2"})
        public int threads;

        Module model;
        List<Tensor> inputs;
        Tensor[] in;
        Interpreter interpreter;
        CompiledModule compiled;

        @Setup(Level.Trial)
        public void setUp() {
            Parallel.setNumThreads(threads);
            Path dir = ConformanceCase.defaultSuite().resolve(caseName);
            model = ConformanceCase.byName(caseName).load(dir);
            inputs = ConformanceCase.inputs(dir, 0);
            in = inputs.toArray(Tensor[]::new);
            Graph g = CompiledCases.optimised(model, dir, in);
            interpreter = new Interpreter(g, Map.of());
            compiled = JvmCompiler.compile(g, Map.of(), CompileOptions.defaults());
            // Time the Vector API code, not the scalar loops/BLAS forms that run while it warms up (docs/codegen-jvm.md).
            // One call first: a conv anchor's first call asks for the kernel forms its shapes need, which can send a
            // ready gate back to warm-up; waiting before it could time that warm-up.
            compiled.forward(in);
            compiled.awaitWarm(java.time.Duration.ofSeconds(60));
        }
    }

    /** elementwise_chain at 256x65536 (64 MiB in, 64 MiB out) and arrays of that size for the copy baseline. */
    @State(Scope.Benchmark)
    public static class Big {
        @Param({"1", "2"})
        public int threads;

        Tensor x;
        CompiledModule compiled;
        float[] src;
        float[] dst;

        @Setup(Level.Trial)
        public void setUp() {
            Parallel.setNumThreads(threads);
            Path dir = ConformanceCase.defaultSuite().resolve("elementwise_chain");
            Module model = ConformanceCase.byName("elementwise_chain").load(dir);
            src = new float[256 * 65536];
            for (int i = 0; i < src.length; i++) src[i] = (float) Math.sin(i * 0.001) * 3;
            dst = new float[src.length];
            x = Tensor.wrap(src, 256, 65536);
            compiled = JvmCompiler.compile(CompiledCases.optimised(model, dir, x), Map.of(), CompileOptions.defaults());
            compiled.forward(x); // first, as in Case
            compiled.awaitWarm(java.time.Duration.ofSeconds(60));
        }
    }

    @Benchmark
    public List<Tensor> eager(Case c) {
        try (var noGrad = GradMode.noGrad()) {
            return ConformanceCase.run(c.model, c.inputs);
        }
    }

    @Benchmark
    public List<Tensor> interpreter(Case c) { return c.interpreter.run(c.in); }

    @Benchmark
    public List<Tensor> compiled(Case c) { return c.compiled.forward(c.in); }

    @Benchmark
    public List<Tensor> chain256x65536Compiled(Big b) { return b.compiled.forward(b.x); }

    @Benchmark
    public float[] copy256x65536Preallocated(Big b) {
        System.arraycopy(b.src, 0, b.dst, 0, b.src.length);
        return b.dst;
    }

    @Benchmark
    public float[] copy256x65536Allocating(Big b) { return b.src.clone(); }
}
