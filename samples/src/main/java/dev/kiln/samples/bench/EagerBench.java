package dev.kiln.samples.bench;

import dev.kiln.eager.Parallel;
import dev.kiln.eager.Tensor;
import dev.kiln.eager.autograd.GradMode;
import dev.kiln.eager.nn.Module;
import dev.kiln.samples.ConformanceCase;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Eager forward latency of every conformance case on its {@code input0}, with the case's PyTorch weights, at 1 and
 * 2 intra-op threads. Run with {@code ./kiln bench-eager}; results go to {@code docs/benchmarks.md}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "--add-modules", "jdk.incubator.vector"})
public class EagerBench {
    @Param({"mlp", "mynet", "lenet_bn", "elementwise_chain", "transformer_block", "resnet_block", "control_flow",
            "embedding_lstm_like"})
    public String caseName;

    @Param({"1", "2"})
    public int threads;

    private Module model;
    private List<Tensor> inputs;

    @Setup
    public void setUp() {
        Parallel.setNumThreads(threads);
        Path dir = ConformanceCase.defaultSuite().resolve(caseName);
        model = ConformanceCase.byName(caseName).load(dir);
        inputs = ConformanceCase.inputs(dir, 0);
    }

    /** Inference as PyTorch's {@code torch.no_grad()} eager figures measure it: no autograd recording. */
    @Benchmark
    public List<Tensor> forward() {
        try (var noGrad = GradMode.noGrad()) {
            return ConformanceCase.run(model, inputs);
        }
    }
}
