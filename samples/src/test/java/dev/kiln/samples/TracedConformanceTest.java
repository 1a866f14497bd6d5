package dev.kiln.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.eager.Tensor;
import dev.kiln.eager.interp.GuardFailedException;
import dev.kiln.eager.nn.Module;
import dev.kiln.ir.graph.Block;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.NodeKind;
import dev.kiln.ir.text.IrParser;
import dev.kiln.ir.text.IrPrinter;
import dev.kiln.ir.verify.GraphVerifier;
import dev.kiln.samples.models.ConditionalCondModel;
import dev.kiln.samples.models.EmbeddingRecurrentScan;
import dev.kiln.tracer.TraceOptions;
import dev.kiln.tracer.TracedModule;
import dev.kiln.tracer.Tracer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every conformance case traced at {@code input0}: the graph prints, parses back to the same text and verifies,
 * and the interpreter running it matches PyTorch on {@code input0} and {@code input1} (another batch size).
 * {@code control_flow} on {@code input1} must raise the guard error; traced with {@code Tracer.cond} it gives the
 * eager answer. Writes {@code target/traced-graphs.md} (the source of {@code docs/traced-graphs.md}).
 */
class TracedConformanceTest {
    private static final Map<String, String> REPORT = new TreeMap<>();

    static Stream<String> cases() {
        return ConformanceCase.caseDirs(ConformanceCase.defaultSuite()).stream().map(p -> p.getFileName().toString());
    }

    static TracedModule trace(Module model, Path dir) {
        CaseJson meta = CaseJson.read(dir);
        List<String> names = new ArrayList<>();
        for (String f : meta.inputFiles0()) names.add(f.substring("input0_".length(), f.length() - ".npy".length()));
        TraceOptions options = TraceOptions.defaults().withInputNames(names.toArray(String[]::new))
                .withTolerance(meta.rtol(), meta.atol());
        return Tracer.trace(model, options, ConformanceCase.inputs(dir, 0).toArray(Tensor[]::new));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void tracedGraphMatchesPyTorchOnBothInputs(String name) {
        Path dir = ConformanceCase.defaultSuite().resolve(name);
        TracedModule traced = trace(ConformanceCase.byName(name).load(dir), dir);
        String text = traced.toString();
        Graph reparsed = IrParser.parse(text, traced.graph().constants());
        GraphVerifier.verify(reparsed);
        assertEquals(text, IrPrinter.print(reparsed), name + ": print(parse(t)) == t");
        REPORT.put(name, text);

        expectMatch(name, dir, traced, 0);
        if (name.equals("control_flow")) {
            Tensor[] in1 = ConformanceCase.inputs(dir, 1).toArray(Tensor[]::new);
            GuardFailedException e = assertThrows(GuardFailedException.class, () -> traced.run(in1));
            assertTrue(e.getMessage().contains("guard failed at ConditionalModel.java:"), e.getMessage());
        } else {
            expectMatch(name, dir, traced, 1);
        }
    }

    static void expectMatch(String name, Path dir, TracedModule traced, int index) {
        CaseJson meta = CaseJson.read(dir);
        List<Tensor> expected = ConformanceCase.expectedOutputs(dir, index);
        List<Tensor> actual = traced.run(ConformanceCase.inputs(dir, index).toArray(Tensor[]::new));
        assertEquals(expected.size(), actual.size(), name + ": number of outputs");
        for (int o = 0; o < expected.size(); o++) {
            Comparison c = Comparison.of(actual.get(o), expected.get(o), meta.rtol(), meta.atol());
            assertTrue(c.withinTolerance(), name + " traced, input" + index + " output " + o + ": " + c.problem());
        }
    }

    @Test
    void controlFlowTracedWithCondGivesTheEagerAnswer() {
        Path dir = ConformanceCase.defaultSuite().resolve("control_flow");
        TracedModule traced = trace(new ConditionalCondModel(), dir);
        assertTrue(traced.toString().contains("kiln::cond"), traced.toString());
        expectMatch("control_flow (cond)", dir, traced, 0);
        expectMatch("control_flow (cond)", dir, traced, 1);
        REPORT.put("control_flow (Tracer.cond)", traced.toString());
    }

    @Test
    void embeddingRecurrenceTracedWithScanIsOneLoop() {
        Path dir = ConformanceCase.defaultSuite().resolve("embedding_lstm_like");
        Module model = new EmbeddingRecurrentScan();
        model.eval();
        model.loadStateDict(ConformanceCase.EMBEDDING_LSTM_LIKE.load(dir).stateDict());
        TracedModule traced = trace(model, dir);
        long scans = traced.graph().topBlock().nodes().stream().filter(n -> n.kind() instanceof NodeKind.Scan).count();
        assertEquals(1, scans, traced.toString());
        assertEquals(1, countOps(traced.graph().topBlock(), "aten::tanh"), traced.toString());
        expectMatch("embedding_lstm_like (scan)", dir, traced, 0);
        expectMatch("embedding_lstm_like (scan)", dir, traced, 1);
        REPORT.put("embedding_lstm_like (Tracer.scan)", traced.toString());
    }

    @Test
    void mynetTracedAtBatchOneRunsAtBatchFourAndThirtyTwo() {
        Path dir = ConformanceCase.defaultSuite().resolve("mynet");
        Module model = ConformanceCase.MYNET.load(dir);
        TracedModule traced = trace(model, dir);
        assertTrue(traced.toString().contains("aten::view(%2, size=[B, -1])")
                || traced.toString().matches("(?s).*aten::view\\(%\\w+, size=\\[B, -1\\]\\).*"), traced.toString());
        for (int batch : new int[] {4, 32}) {
            float[] data = new float[batch * 28 * 28];
            for (int i = 0; i < data.length; i++) data[i] = (float) Math.sin(i * 0.37);
            Tensor x = Tensor.of(data, batch, 1, 28, 28);
            Tensor eager = (Tensor) model.forward(x);
            Tensor got = traced.run(x).get(0);
            Comparison c = Comparison.of(got, eager, 1e-5, 1e-5);
            assertTrue(c.withinTolerance(), "batch " + batch + ": " + c.problem());
        }
    }

    static int countOps(Block b, String name) {
        int n = 0;
        for (Node node : b.nodes()) {
            if (node.kind().name().equals(name)) n++;
            for (Block sub : node.blocks()) n += countOps(sub, name);
        }
        return n;
    }

    @AfterAll
    static void writeReport() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : REPORT.entrySet()) {
            sb.append("=== ").append(e.getKey()).append('\n').append(e.getValue());
        }
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/traced-graphs.txt"), sb.toString());
    }
}
