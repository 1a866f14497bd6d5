package dev.kiln.samples.peers;

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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Forward latency of every conformance case in every {@link Engine}, at batch 1 and 32 (rows of {@code input0}
 * repeated) and 1 and 2 threads. Each parameter combination runs in its own JVM fork, so a fork holds one engine
 * only and its peak resident memory ({@link PeakRssProfiler}) is that engine's. {@link PeerReport} runs it with
 * the checks first and prints one table ({@code ./kiln bench-peers}); the annotations here are the defaults when
 * it is run through JMH's own command line.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 300, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 5, time = 300, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx1g", "-Dai.djl.offline=true"})
public class PeerBench {
    @Param({"mlp", "mynet", "lenet_bn", "elementwise_chain", "transformer_block", "resnet_block", "control_flow",
            "embedding_lstm_like"})
    public String caseName;

    @Param({"kiln-eager", "kiln-interp", "kiln-compiled", "ort", "libtorch"})
    public String engine;

    @Param({"1", "32"})
    public int batch;

    @Param({"1", "2"})
    public int threads;

    private EngineSession session;

    @Setup
    public void setUp() throws Exception {
        PeerCase c = PeerCase.named(caseName);
        session = Engine.byId(engine).open(c, PeerInput.batch(c, batch), threads);
    }

    @Benchmark
    public List<?> forward() {
        return session.run();
    }

    @TearDown
    public void tearDown() {
        session.close();
    }
}
