package dev.kiln.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.codegen.jvm.CompileOptions;
import dev.kiln.codegen.jvm.CompiledModule;
import dev.kiln.codegen.jvm.GeneratedCodeVerifier;
import dev.kiln.codegen.jvm.JvmCompiler;
import dev.kiln.eager.Storage;
import dev.kiln.eager.Tensor;
import dev.kiln.eager.interp.GuardFailedException;
import dev.kiln.eager.interp.Interpreter;
import dev.kiln.ir.DType;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.graph.TensorData;
import dev.kiln.ir.text.IrParser;
import dev.kiln.passes.Pipelines;
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
 * Every conformance case traced at {@code input0}, optimised by the inference pipeline and compiled to one JVM
 * class ({@link JvmCompiler}, verified by ASM's {@code CheckClassAdapter}, dumped with its Textifier listing under
 * {@code target/compiled/<case>/}): its outputs match PyTorch's on {@code input0} and {@code input1}
 * ({@code control_flow}'s {@code input1} fails its guard as the interpreter does), and the interpreter's on both
 * inputs and at batch size 5, which no example had. Compile time (passes + codegen + class loading) is printed and
 * written with the compile report to {@code target/compiled.md}.
 */
class CompiledConformanceTest {
    private static final Map<String, String> REPORT = new TreeMap<>();

    static Stream<String> cases() { return TracedConformanceTest.cases(); }

    /** The optimised graph of a case and the time the passes took. */
    record Optimised(Graph graph, long passNanos) {
        static Optimised of(String name) {
            Path dir = ConformanceCase.defaultSuite().resolve(name);
            TracedModule traced = TracedConformanceTest.trace(ConformanceCase.byName(name).load(dir), dir);
            Graph g = IrParser.parse(traced.toString(), traced.graph().constants());
            Map<String, TensorData> params = new LinkedHashMap<>();
            traced.parameters().forEach((k, t) -> params.put(k, TensorBridge.data(t)));
            long t0 = System.nanoTime();
            Pipelines.inference(params, Map.of()).build().run(g);
            return new Optimised(g, System.nanoTime() - t0);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void compiledGraphMatchesPyTorchAndTheInterpreter(String name) throws IOException {
        Path dir = ConformanceCase.defaultSuite().resolve(name);
        Optimised o = Optimised.of(name);
        long t0 = System.nanoTime();
        CompiledModule m = JvmCompiler.compile(o.graph(), Map.of(),
                CompileOptions.defaults().withVerify(true).withDump(Path.of("target/compiled", name)));
        long compile = System.nanoTime() - t0;
        double totalMs = (o.passNanos() + compile) / 1e6;
        System.out.printf("compile %-20s passes %.1f ms + codegen and loading %.1f ms = %.1f ms%n", name,
                o.passNanos() / 1e6, compile / 1e6, totalMs);
        assertTrue(totalMs < 1000, name + ": compile time " + totalMs + " ms");
        assertTrue(Files.exists(Path.of("target/compiled", name)), "dump written");
        if (!name.equals("control_flow")) {
            // The class passes the allow-list scan the runtime applies to archived bytecode.
            assertEquals(m.report().className(), GeneratedCodeVerifier.verify(m.classBytes()).binaryName());
        }

        Interpreter interp = new Interpreter(o.graph(), Map.of());
        CaseJson meta = CaseJson.read(dir);
        for (int index = 0; index < 2; index++) {
            Tensor[] in = ConformanceCase.inputs(dir, index).toArray(Tensor[]::new);
            if (name.equals("control_flow") && index == 1) {
                GuardFailedException e = assertThrows(GuardFailedException.class, () -> m.forward(in));
                assertTrue(e.getMessage().contains("guard failed at ConditionalModel.java:"), e.getMessage());
                continue;
            }
            List<Tensor> got = m.forward(in);
            expect(name + " input" + index + " vs PyTorch", got, ConformanceCase.expectedOutputs(dir, index),
                    meta.rtol(), meta.atol());
            expect(name + " input" + index + " vs interpreter", got, interp.run(in), 1e-5, 1e-5);
            // Not bit for bit: a GEMM/conv anchor runs its BLAS form until its Vector API kernel is warm
            // (docs/codegen-jvm.md, "Warm-up"), and the two sum in different orders; a stale pooled buffer would
            // still be far off.
            expect(name + " input" + index + " second call", m.forward(in), got, 1e-5, 1e-5);
        }
        Tensor[] batch5 = batch(ConformanceCase.inputs(dir, 0), 5);
        List<Tensor> want;
        try {
            want = interp.run(batch5);
        } catch (GuardFailedException e) {
            assertThrows(GuardFailedException.class, () -> m.forward(batch5));
            want = null;
        }
        if (want != null) expect(name + " batch 5 vs interpreter", m.forward(batch5), want, 1e-5, 1e-5);
        REPORT.put(name, "### `" + name + "`\n\npasses " + String.format("%.1f", o.passNanos() / 1e6)
                + " ms, codegen and loading " + String.format("%.1f", compile / 1e6) + " ms\n\n```\n" + m.report()
                + "```\n\n");
    }

    static void expect(String what, List<Tensor> got, List<Tensor> want, double rtol, double atol) {
        assertEquals(want.size(), got.size(), what + ": number of outputs");
        for (int i = 0; i < want.size(); i++) {
            Comparison c = Comparison.of(got.get(i), want.get(i), rtol, atol);
            assertTrue(c.withinTolerance(), what + " output " + i + ": " + c.problem());
        }
    }

    /** Inputs of batch size {@code b}: the example's rows repeated cyclically, floats perturbed a little. */
    static Tensor[] batch(List<Tensor> inputs, int b) {
        List<Tensor> out = new ArrayList<>();
        for (Tensor t : inputs) {
            Tensor c = t.contiguous();
            long[] shape = c.shape();
            int row = (int) (c.numel() / shape[0]);
            Object src = c.storage().array();
            int off = c.storageOffset();
            Object dst = java.lang.reflect.Array.newInstance(src.getClass().getComponentType(), b * row);
            for (int r = 0; r < b; r++) System.arraycopy(src, off + (int) (r % shape[0]) * row, dst, r * row, row);
            if (c.dtype() == DType.FLOAT32) {
                float[] f = (float[]) dst;
                for (int k = 0; k < f.length; k++) f[k] += 0.01f * (float) Math.sin(k * 0.7);
            }
            shape[0] = b;
            out.add(Tensor.wrap(dst, shape));
        }
        return out.toArray(Tensor[]::new);
    }

    @AfterAll
    static void writeReport() throws IOException {
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/compiled.md"), String.join("", REPORT.values()));
    }
}
