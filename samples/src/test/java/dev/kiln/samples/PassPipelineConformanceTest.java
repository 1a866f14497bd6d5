package dev.kiln.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.eager.Tensor;
import dev.kiln.eager.interp.GuardFailedException;
import dev.kiln.eager.interp.Interpreter;
import dev.kiln.ir.graph.Block;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.NodeKind;
import dev.kiln.ir.graph.TensorData;
import dev.kiln.ir.text.IrParser;
import dev.kiln.ir.text.IrPrinter;
import dev.kiln.passes.Pipelines;
import dev.kiln.passes.PipelineReport;
import dev.kiln.passes.kernel.GroupCheck;
import dev.kiln.passes.memory.MemoryPlan;
import dev.kiln.passes.memory.MemoryPlanner;
import dev.kiln.passes.shape.ShapeBindings;
import dev.kiln.passes.util.TensorBridge;
import dev.kiln.tracer.TracedModule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every conformance case traced at {@code input0}, then optimised by the full inference pipeline (freeze with the
 * model's parameters, fold, simplify, CSE, DCE, epilogue and loop fusion; verified after every pass): the
 * interpreter running the optimised graph still matches PyTorch on {@code input0} and {@code input1}
 * ({@code control_flow}'s {@code input1} must still fail its guard). Writes {@code target/pass-pipeline.md}, the
 * source of the tables in {@code docs/passes.md}: nodes before and after, fusion groups and their sizes, planned
 * intermediate memory against the unplanned sum, beside PyTorch's {@code frozen_optimized_graph.txt}.
 */
class PassPipelineConformanceTest {
    private static final Map<String, String> REPORT = new TreeMap<>();

    static Stream<String> cases() { return TracedConformanceTest.cases(); }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void optimisedGraphMatchesPyTorchOnBothInputs(String name) throws IOException {
        Path dir = ConformanceCase.defaultSuite().resolve(name);
        TracedModule traced = TracedConformanceTest.trace(ConformanceCase.byName(name).load(dir), dir);
        Graph g = IrParser.parse(traced.toString(), traced.graph().constants());
        List<long[]> shapes0 = new ArrayList<>();
        for (Tensor t : ConformanceCase.inputs(dir, 0)) shapes0.add(t.shape());
        Map<String, Long> b0 = ShapeBindings.fromInputs(g.inputs(), shapes0);
        Counts before = Counts.of(g);
        MemoryPlan memBefore = MemoryPlanner.plan(g, b0);

        Map<String, TensorData> params = new LinkedHashMap<>();
        traced.parameters().forEach((k, t) -> params.put(k, TensorBridge.data(t)));
        PipelineReport report = Pipelines.inference(params, Map.of()).verify(true).build().run(g);
        Graph reparsed = IrParser.parse(IrPrinter.print(g), g.constants());
        assertEquals(IrPrinter.print(g), IrPrinter.print(reparsed), name + ": the optimised graph round-trips");
        Counts after = Counts.of(g);
        MemoryPlan memAfter = MemoryPlanner.plan(g, b0);

        int lowered = checkKernels(name, g, b0);

        Interpreter interp = new Interpreter(g, Map.of());
        expectMatch(name, dir, interp, 0);
        if (name.equals("control_flow")) {
            Tensor[] in1 = ConformanceCase.inputs(dir, 1).toArray(Tensor[]::new);
            assertThrows(GuardFailedException.class, () -> interp.run(in1));
        } else {
            expectMatch(name, dir, interp, 1);
        }
        REPORT.put(name, row(name, dir, before, after, memBefore, memAfter, b0, report, IrPrinter.print(g), lowered));
    }

    /**
     * Lowers every fusion group to kernel IR and runs it on the kernel interpreter against its block run by the
     * eager kernels, on the same deterministic inputs at the sizes of {@code input0}; returns the number checked.
     */
    static int checkKernels(String name, Graph g, Map<String, Long> bindings) {
        int n = 0;
        for (Node f : g.topBlock().nodes()) {
            if (!(f.kind() instanceof NodeKind.Fused)) continue;
            List<Tensor> in = new ArrayList<>();
            int seed = 0;
            for (var p : f.blocks().get(0).params()) {
                var t = (dev.kiln.ir.type.TensorType) p.type();
                long[] shape = t.shape().eval(bindings);
                int size = 1;
                for (long d : shape) size *= (int) d;
                float[] a = new float[size];
                seed++;
                for (int k = 0; k < size; k++) a[k] = (float) Math.sin(k * 0.37 + seed);
                in.add(t.dtype() == dev.kiln.ir.DType.FLOAT32 ? Tensor.of(a, shape)
                        : Tensor.of(a, shape).to(t.dtype()));
            }
            List<Tensor> want = GroupCheck.reference(f, in);
            List<Tensor> got = GroupCheck.lowered(f, in, bindings);
            for (int o = 0; o < want.size(); o++) {
                Comparison c = Comparison.of(got.get(o), want.get(o), 1e-5, 1e-5);
                assertTrue(c.withinTolerance(), name + ": kernel of " + f + " output " + o + ": " + c.problem());
            }
            n++;
        }
        return n;
    }

    static void expectMatch(String name, Path dir, Interpreter interp, int index) {
        CaseJson meta = CaseJson.read(dir);
        List<Tensor> expected = ConformanceCase.expectedOutputs(dir, index);
        List<Tensor> actual = interp.run(ConformanceCase.inputs(dir, index).toArray(Tensor[]::new));
        assertEquals(expected.size(), actual.size(), name + ": number of outputs");
        for (int o = 0; o < expected.size(); o++) {
            Comparison c = Comparison.of(actual.get(o), expected.get(o), meta.rtol(), meta.atol());
            assertTrue(c.withinTolerance(), name + " optimised, input" + index + " output " + o + ": " + c.problem());
        }
    }

    /** Node counts of a graph, not looking inside fusion groups (whose sizes are listed separately). */
    record Counts(int nodes, int ops, List<String> groups) {
        static Counts of(Graph g) {
            int[] c = new int[2];
            List<String> groups = new ArrayList<>();
            walk(g.topBlock(), c, groups);
            return new Counts(c[0], c[1], groups);
        }

        private static void walk(Block b, int[] c, List<String> groups) {
            for (Node n : b.nodes()) {
                c[0]++;
                if (!(n.kind() instanceof NodeKind.Const || n.kind() instanceof NodeKind.ConstRef
                        || n.kind() instanceof NodeKind.Param)) {
                    c[1]++;
                }
                if (n.kind() instanceof NodeKind.Fused f) {
                    long ops = n.blocks().get(0).nodes().stream().filter(m -> m.kind() instanceof NodeKind.OpCall).count();
                    List<String> names = new ArrayList<>();
                    for (Node m : n.blocks().get(0).nodes()) {
                        if (m.kind() instanceof NodeKind.OpCall) names.add(m.kind().name().replace("aten::", ""));
                    }
                    groups.add((f.group() == NodeKind.Fused.Group.LOOP ? "loop " : "epilogue ") + ops + " ("
                            + String.join(", ", names) + ")");
                    continue;
                }
                for (Block sub : n.blocks()) walk(sub, c, groups);
            }
        }
    }

    /** PyTorch's frozen, optimised graph: all node lines, and those that are not {@code prim::Constant}. */
    static int[] pytorchCounts(Path dir) throws IOException {
        int all = 0;
        int ops = 0;
        for (String line : Files.readAllLines(dir.resolve("frozen_optimized_graph.txt"))) {
            if (!line.matches("\\s+%.*= \\w+::.*")) continue;
            all++;
            if (!line.contains("= prim::Constant")) ops++;
        }
        return new int[] {all, ops};
    }

    private static String row(String name, Path dir, Counts before, Counts after, MemoryPlan memBefore,
                              MemoryPlan memAfter, Map<String, Long> b0, PipelineReport report, String text,
                              int lowered)
            throws IOException {
        int[] pt = pytorchCounts(dir);
        StringBuilder sb = new StringBuilder();
        sb.append("### `").append(name).append("`\n\n");
        sb.append("| | Kiln traced | Kiln optimised | PyTorch frozen+optimised |\n|---|---:|---:|---:|\n");
        sb.append("| nodes (all) | ").append(before.nodes()).append(" | ").append(after.nodes()).append(" | ")
                .append(pt[0]).append(" |\n");
        sb.append("| nodes (not const/param) | ").append(before.ops()).append(" | ").append(after.ops())
                .append(" | ").append(pt[1]).append(" |\n");
        sb.append("| intermediates, unplanned sum at ").append(b0).append(" | ").append(memBefore.unplannedBytes())
                .append(" B | ").append(memAfter.unplannedBytes()).append(" B | |\n");
        sb.append("| intermediates, planned (buffers) | ").append(memBefore.plannedBytes()).append(" B (")
                .append(memBefore.buffers().size()).append(") | ").append(memAfter.plannedBytes()).append(" B (")
                .append(memAfter.buffers().size()).append(") | |\n\n");
        sb.append("Kernels: ").append(lowered).append(" of ").append(after.groups().size())
                .append(" groups lowered to kernel IR and matched against the eager kernels.\n\n");
        sb.append("Fusion groups (ops inside): ").append(after.groups().isEmpty() ? "none"
                : String.join("; ", after.groups())).append("\n\n");
        sb.append("Pass counters: ");
        List<String> parts = new ArrayList<>();
        for (PipelineReport.PassRun r : report.runs()) if (r.result().changed()) parts.add(r.pass() + " " + r.result());
        sb.append(String.join("; ", parts)).append("\n\n```\n").append(text).append("```\n\n");
        return sb.toString();
    }

    @AfterAll
    static void writeReport() throws IOException {
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/pass-pipeline.md"), String.join("", REPORT.values()));
    }
}
