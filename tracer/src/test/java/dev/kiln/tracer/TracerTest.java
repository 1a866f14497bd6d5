package dev.kiln.tracer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Tensor;
import dev.kiln.eager.interp.GuardFailedException;
import dev.kiln.eager.interp.GuardPolicy;
import dev.kiln.eager.nn.Module;
import dev.kiln.ir.text.IrParser;
import dev.kiln.ir.text.IrPrinter;
import dev.kiln.tracer.models.TestModels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The tracer on small models: sizes, guards, structured control flow, options and the trace check. */
class TracerTest {
    private final List<String> warnings = new ArrayList<>();
    private final TraceOptions quiet = TraceOptions.defaults().withWarnings(warnings::add);

    private static Tensor ramp(float start, float step, long... shape) {
        int n = 1;
        for (long s : shape) n *= (int) s;
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = start + step * i;
        return Tensor.of(a, shape);
    }

    private static void assertClose(Tensor expected, Tensor actual) {
        assertArrayEquals(expected.shape(), actual.shape());
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        for (int i = 0; i < e.length; i++) assertEquals(e[i], a[i], 1e-5 + 1e-5 * Math.abs(e[i]), "element " + i);
    }

    private static Module eval(Module m) {
        m.eval();
        return m;
    }

    @Test
    void ambiguousSizeIsSpecialisedAndOtherBatchSizesFailClearly() {
        TracedModule t = Tracer.trace(eval(new TestModels.AmbiguousView()), quiet, ramp(0, 1, 1, 1, 2, 3));
        assertTrue(t.toString().startsWith("graph(%x : f32[1, 1, 2, 3]):"), t.toString());
        assertTrue(t.toString().contains("aten::view(%x, size=[1, -1])"), t.toString());
        assertTrue(warnings.get(0).startsWith("specialised [B]: aten::view size: size 1 was read from several sizes"),
                warnings.toString());
        KilnException e = assertThrows(KilnException.class, () -> t.run(ramp(0, 1, 4, 1, 2, 3)));
        assertEquals("input 'x': expected f32[1, 1, 2, 3], found f32[4, 1, 2, 3] (dim 0: expected 1, found 4)",
                e.getMessage());
    }

    @Test
    void strictModeRefusesToSpecialise() {
        TraceException e = assertThrows(TraceException.class, () -> Tracer.trace(eval(new TestModels.AmbiguousView()),
                quiet.withStrict(true), ramp(0, 1, 1, 1, 2, 3)));
        assertTrue(e.getMessage().startsWith("strict trace: aten::view size: size 1 was read from several sizes"),
                e.getMessage());
    }

    @Test
    void sizeDerivedByArithmeticIsCaughtByTheProbe() {
        Module m = eval(new TestModels.DerivedSize());
        TracedModule t = Tracer.trace(m, quiet, ramp(0, 1, 1, 4));
        // At batch 1, size(0) * 2 is the literal 2; the probe at batch 2 shows the graph would be wrong there.
        assertTrue(t.toString().startsWith("graph(%x : f32[1, 4]):"), t.toString());
        assertTrue(warnings.get(0).contains("does not reproduce eager at B = 2"), warnings.toString());
        KilnException e = assertThrows(KilnException.class, () -> t.run(ramp(0, 1, 3, 4)));
        assertTrue(e.getMessage().contains("(dim 0: expected 1, found 3)"), e.getMessage());
        // Without the probe the trace would be silently wrong at other batch sizes: the probe is the safety net.
        TracedModule unsafe = Tracer.trace(m, quiet.withSizeProbe(false), ramp(0, 1, 1, 4));
        assertTrue(unsafe.toString().contains("size=[2, -1]"), unsafe.toString());
    }

    @Test
    void literalShapeThatCannotBroadcastWithTheBatchIsSpecialised() {
        TracedModule t = Tracer.trace(eval(new TestModels.BakedBatch()), quiet, ramp(0, 1, 3, 4));
        assertTrue(t.toString().startsWith("graph(%x : f32[3, 4]):"), t.toString());
        assertTrue(warnings.get(0).contains("aten::add needs static sizes here"), warnings.toString());
        KilnException e = assertThrows(KilnException.class, () -> t.run(ramp(0, 1, 2, 4)));
        assertEquals("input 'x': expected f32[3, 4], found f32[2, 4] (dim 0: expected 3, found 2)", e.getMessage());
    }

    @Test
    void itemReadBecomesAnEqualityGuard() {
        Module m = eval(new TestModels.ItemBranch());
        TracedModule t = Tracer.trace(m, quiet, ramp(0, 1, 2, 3));
        assertTrue(t.toString().contains("kiln::guard(%0, expected=5.0)   # @ TestModels.java:"), t.toString());
        assertClose((Tensor) m.forward(ramp(0, 1, 2, 3)), t.run(ramp(0, 1, 2, 3)).get(0));
        GuardFailedException e = assertThrows(GuardFailedException.class, () -> t.run(ramp(0, 0.5f, 2, 3)));
        assertTrue(e.getMessage().startsWith("guard failed at TestModels.java:"), e.getMessage());
        assertTrue(e.getMessage().contains("the trace read 5.0 from %0 but this input gives 2.5"), e.getMessage());
    }

    @Test
    void guardPolicyWarnRunsTheTracedPath() {
        List<String> runtime = new ArrayList<>();
        TraceOptions o = TraceOptions.defaults().withGuardPolicy(GuardPolicy.WARN).withWarnings(runtime::add);
        TracedModule t = Tracer.trace(eval(new TestModels.ItemBranch()), o, ramp(0, 1, 2, 3));
        runtime.clear();
        t.run(ramp(0, 0.5f, 2, 3));
        assertEquals(1, runtime.size());
        assertTrue(runtime.get(0).startsWith("guard failed at TestModels.java:"), runtime.get(0));
    }

    @Test
    void elementReadSelectsTheElementAndGuardsIt() {
        TracedModule t = Tracer.trace(eval(new TestModels.ElementBranch()), quiet, ramp(0, 1, 2, 3));
        String text = t.toString();
        assertTrue(text.contains("%0 : f32[3] = aten::select(%x, dim=0, index=0)"), text);
        assertTrue(text.contains("%1 : f32[] = aten::select(%0, dim=0, index=1)"), text);
        assertTrue(text.contains("kiln::guard(%1, expected=1.0)"), text);
        assertThrows(GuardFailedException.class, () -> t.run(ramp(0, -1, 2, 3)));
    }

    @Test
    void bulkReadWarnsAndStrictModeRefuses() {
        Tracer.trace(eval(new TestModels.BulkRead()), quiet, ramp(0, 1, 2, 3));
        assertTrue(warnings.stream().anyMatch(w -> w.startsWith("toFloatArray() read every element of traced value "
                + "%x")), warnings.toString());
        TraceException e = assertThrows(TraceException.class,
                () -> Tracer.trace(eval(new TestModels.BulkRead()), quiet.withStrict(true), ramp(0, 1, 2, 3)));
        assertTrue(e.getMessage().startsWith("strict trace: toFloatArray()"), e.getMessage());
    }

    @Test
    void severalInputsMapOutputsNamesAndModulePaths() {
        Module m = eval(new TestModels.TwoInOut());
        TracedModule t = Tracer.trace(m, quiet.withInputNames("a", "b").withOutputNames("y", "total"),
                ramp(0, 1, 2, 4), ramp(1, -1, 2, 4));
        String text = t.toString();
        assertTrue(text.startsWith("graph(%a : f32[B, 4], %b : f32[B, 4]):"), text);
        assertTrue(text.contains("aten::linear(%0, %body.0.weight, %body.0.bias)   # body.0 @ TestModels.java:"),
                text);
        assertTrue(text.contains("aten::linear(%2, %body.2.weight, %body.2.bias)   # body.2 @ TestModels.java:"),
                text);
        assertTrue(text.contains("aten::relu(%1)   # body.1 @ TestModels.java:"), text);
        assertTrue(text.contains("return (%y, %total)"), text);
        assertEquals(List.of("body.0.weight", "body.0.bias", "body.2.weight", "body.2.bias"),
                new ArrayList<>(t.parameters().keySet()));
        Tensor a = ramp(-2, 0.5f, 5, 4);
        Tensor b = ramp(3, -0.25f, 5, 4);
        @SuppressWarnings("unchecked")
        Map<String, Tensor> got = (Map<String, Tensor>) t.forward(a, b);
        @SuppressWarnings("unchecked")
        Map<String, Tensor> want = (Map<String, Tensor>) m.forward(a, b);
        assertEquals(want.keySet(), got.keySet());
        assertClose(want.get("y"), got.get("y"));
        assertClose(want.get("sum"), got.get("sum"));
        KilnException e = assertThrows(KilnException.class, () -> t.run(ramp(0, 1, 2, 4), ramp(0, 1, 3, 4)));
        assertEquals("input 'b': expected f32[B, 4], found f32[3, 4] (dim 0: expected B = 2 (B = 2 from input 'a' "
                + "dim 0), found 3)", e.getMessage());
    }

    @Test
    void everyTracedGraphRoundTripsThroughTheParser() {
        for (Module m : List.of(new TestModels.TwoInOut(), new TestModels.RunningClampedSum())) {
            m.eval();
            Tensor[] in = m instanceof TestModels.TwoInOut ? new Tensor[] {ramp(0, 1, 2, 4), ramp(0, 1, 2, 4)}
                    : new Tensor[] {ramp(-1, 0.1f, 2, 5, 3)};
            String text = Tracer.trace(m, quiet, in).toString();
            assertEquals(text, IrPrinter.print(IrParser.parse(text)));
        }
    }

    @Test
    void dropoutInTrainingModeWarns() {
        Module m = new TestModels.WithDropout();
        m.eval();
        Tracer.trace(m, quiet, ramp(0, 1, 2, 3));
        assertTrue(warnings.isEmpty(), warnings.toString());
        m.train();
        TraceException e = assertThrows(TraceException.class, () -> Tracer.trace(m, quiet, ramp(0, 1, 2, 3)));
        assertTrue(warnings.stream().anyMatch(w -> w.startsWith("aten::dropout is nondeterministic")
                && w.contains("call model.eval() before tracing")), warnings.toString());
        assertTrue(e.getMessage().startsWith("trace check on the example: output 0 differs from eager: element"),
                e.getMessage());
    }

    @Test
    void traceCheckReportsTheFirstDifferingElement() {
        TraceException e = assertThrows(TraceException.class,
                () -> Tracer.trace(eval(new TestModels.Noisy()), quiet.withSizeProbe(false), ramp(0, 0, 2, 4)));
        assertTrue(e.getMessage().matches("trace check on the example: output 0 differs from eager: element \\[0, 0\\]: "
                + "traced .*, eager .* \\(\\|diff\\| .* > atol 1.0E-5 \\+ rtol 1.0E-5 \\* \\|eager\\|\\)"), e.getMessage());
    }

    @Test
    void traceCheckOnInputTakingAnotherBranchReportsTheGuard() {
        TraceException e = assertThrows(TraceException.class, () -> Tracer.trace(eval(new TestModels.ItemBranch()),
                quiet.withCheckInputs(List.<Tensor[]>of(new Tensor[] {ramp(0, 0.1f, 2, 3)})), ramp(0, 1, 2, 3)));
        assertTrue(e.getMessage().startsWith("trace check on check input 0: the traced module fails: guard failed at "
                + "TestModels.java:"), e.getMessage());
    }

    @Test
    void condBranchesMustAgreeInType() {
        TraceException e = assertThrows(TraceException.class,
                () -> Tracer.trace(eval(new TestModels.BadCond()), quiet, ramp(0, 1, 2, 3)));
        assertTrue(e.getMessage().contains("the branches return different types, then f32[B, 3], else f32[]"),
                e.getMessage());
    }

    @Test
    void scanWithCondInsideRunsAtOtherBatchAndSequenceLengths() {
        Module m = eval(new TestModels.RunningClampedSum());
        TraceOptions o = quiet.withDynamicDim(0, 0, "B").withDynamicDim(0, 1, "T");
        TracedModule t = Tracer.trace(m, o, ramp(-1, 0.1f, 2, 5, 3));
        String text = t.toString();
        assertTrue(text.startsWith("graph(%x : f32[B, T, 3]):"), text);
        assertTrue(text.contains("f32[B, 3], f32[B, T, 3] = kiln::scan(%x, %0, dim=1)"), text);
        assertTrue(text.contains("kiln::cond("), text);
        for (long[] shape : new long[][] {{1, 1, 3}, {3, 9, 3}}) {
            Tensor x = ramp(-2, 0.07f, shape);
            @SuppressWarnings("unchecked")
            List<Tensor> want = (List<Tensor>) m.forward(new Tensor[] {x});
            List<Tensor> got = t.run(x);
            assertClose(want.get(0), got.get(0));
            assertClose(want.get(1), got.get(1));
        }
    }
}
