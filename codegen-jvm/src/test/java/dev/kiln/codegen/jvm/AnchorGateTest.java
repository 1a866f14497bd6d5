package dev.kiln.codegen.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.eager.Tensor;
import dev.kiln.ir.text.IrParser;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The warm-up gates of the Vector API anchor kernels ({@link AnchorGate}): a closed gate sends the anchor to its BLAS
 * form, an open one to its Vector API form, both equal to float64 references; {@link CompiledModule#awaitWarm} waits
 * for the real warm-up (C2) and then the Vector API forms run; the guard closes a gate after slow calls.
 */
class AnchorGateTest {
    private static final CompileOptions CHECKED = CompileOptions.defaults().withVerify(true);

    private static float[] ramp(int n, double scale, double phase) { return JvmCompilerTest.ramp(n, scale, phase); }

    /**
     * One linear of 8 rows (PanelGemm) and three convolutions: stride 1 with a short reduction (DirectConv), stride 1
     * with 3 kernel rows and C·kw = 24 (WinogradRows), stride 2 with 6 channels (im2col + PanelGemm); outputs 14 and 13
     * columns wide, which DirectConv's units of 16 columns cover (ConvAnchor.directFits).
     */
    private static final String IR = """
            graph(%x : f32[8, 37], %y : f32[2, 2, 10, 14], %z : f32[2, 8, 9, 13]):
              %w : f32[23, 37] = param["w"]
              %b : f32[23] = param["b"]
              %1 : f32[8, 23] = aten::linear(%x, %w, %b)
              %cw : f32[11, 2, 3, 3] = param["cw"]
              %2 : f32[2, 11, 10, 14] = aten::conv2d(%y, %cw, None, stride=[1, 1], padding=[1, 1], dilation=[1, 1], groups=1)
              %ww : f32[7, 8, 3, 3] = param["ww"]
              %wb : f32[7] = param["wb"]
              %3 : f32[2, 7, 9, 13] = aten::conv2d(%z, %ww, %wb, stride=[1, 1], padding=[1, 1], dilation=[1, 1], groups=1)
              %sw : f32[6, 8, 3, 3] = param["sw"]
              %4 : f32[2, 6, 4, 6] = aten::conv2d(%z, %sw, None, stride=[2, 2], padding=[0, 0], dilation=[1, 1], groups=1)
              return (%1, %2, %3, %4)
            """;

    private final float[] w = ramp(23 * 37, 0.5, 0.1);
    private final float[] b = ramp(23, 1, 2);
    private final float[] cw = ramp(11 * 18, 0.4, 0.3);
    private final float[] ww = ramp(7 * 72, 0.2, 0.7);
    private final float[] wb = ramp(7, 1, 0.9);
    private final float[] sw = ramp(6 * 72, 0.3, 1.1);
    private final float[] x = ramp(8 * 37, 1.3, 0.2);
    private final float[] y = ramp(2 * 2 * 140, 1.1, 0.4);
    private final float[] z = ramp(2 * 8 * 117, 0.9, 0.6);

    private CompiledModule compile() {
        return JvmCompiler.compile(IrParser.parse(IR), Map.of("w", Tensor.wrap(w, 23, 37), "b", Tensor.wrap(b, 23),
                "cw", Tensor.wrap(cw, 11, 2, 3, 3), "ww", Tensor.wrap(ww, 7, 8, 3, 3), "wb", Tensor.wrap(wb, 7),
                "sw", Tensor.wrap(sw, 6, 8, 3, 3)), CHECKED);
    }

    /** The module's outputs against float64 references. */
    private void checkValues(List<Tensor> out, String what) {
        GemmAnchorTest.assertClose(GemmAnchorTest.linearRef(x, 8, 37, w, 23, b), GemmAnchorTest.values(out.get(0)),
                1e-5, what + " linear");
        GemmAnchorTest.assertClose(GemmAnchorTest.convRef(y, 2, 2, 10, 14, cw, 11, 3, 3, null, 1, 1, 1, 1, 10, 14),
                GemmAnchorTest.values(out.get(1)), 1e-5, what + " direct conv");
        GemmAnchorTest.assertClose(GemmAnchorTest.convRef(z, 2, 8, 9, 13, ww, 7, 3, 3, wb, 1, 1, 1, 1, 9, 13),
                GemmAnchorTest.values(out.get(2)), 1e-5, what + " Winograd conv");
        GemmAnchorTest.assertClose(GemmAnchorTest.convRef(z, 2, 8, 9, 13, sw, 6, 3, 3, null, 2, 0, 1, 1, 4, 6),
                GemmAnchorTest.values(out.get(3)), 1e-5, what + " im2col panel conv");
    }

    private List<Tensor> forward(CompiledModule m) {
        return m.forward(Tensor.wrap(x, 8, 37), Tensor.wrap(y, 2, 2, 10, 14), Tensor.wrap(z, 2, 8, 9, 13));
    }

    private static void release() {
        for (AnchorGate g : AnchorGate.values()) {
            g.reset(); // the gates may have been opened before C2 compiled the kernels: warm them for real
            g.start();
        }
    }

    @Test
    void aClosedGateRunsTheBlasFormAndAnOpenOneTheVectorFormWithTheSameResults() {
        assumeTrue(JvmCompiler.vectorModulePresent(), "needs jdk.incubator.vector");
        try (CompiledModule m = compile()) {
            String r = m.report().toString();
            assertTrue(r.contains("Vector API panels") && r.contains("direct Vector API convolution")
                    && r.contains("row-Winograd") && r.contains("Vector API panel GEMM"), r);
            assertEquals(Set.of(AnchorGate.values()), m.anchorGates());
            try {
                for (AnchorGate g : AnchorGate.values()) g.hold();
                for (int call = 0; call < 3; call++) {
                    checkValues(forward(m), "gates closed, call " + call);
                    assertEquals(List.of(false, false, false, false), m.lastAnchorCallsVector(), "gates closed: BLAS");
                }
                for (AnchorGate g : AnchorGate.values()) g.markReady();
                checkValues(forward(m), "gates open");
                assertEquals(List.of(true, true, true, true), m.lastAnchorCallsVector(), "gates open: Vector API");
                // One gate closed: only the anchors on its kernel go back to BLAS (PanelGemm: linear, stride-2 conv).
                for (AnchorGate g : AnchorGate.values()) g.markReady();
                AnchorGate.PANEL_GEMM.hold();
                checkValues(forward(m), "PanelGemm closed");
                assertEquals(List.of(false, true, true, false), m.lastAnchorCallsVector(), "PanelGemm closed");
                assertFalse(m.awaitWarm(Duration.ZERO), "a held gate is not warm");
            } finally {
                release();
            }
        }
    }

    @Test
    void awaitWarmWaitsForTheRealWarmUpAndThenTheVectorFormsRun() {
        assumeTrue(JvmCompiler.vectorModulePresent(), "needs jdk.incubator.vector");
        try (CompiledModule m = compile()) {
            // A first call before waiting: the conv outputs (14 and 13 columns) need DirectConv's partial units,
            // which an anchor asks for on its first call with a shape (closing a ready gate to re-warm it); without
            // it this test failed when run alone, i.e. before any other test had asked for partial units.
            checkValues(forward(m), "first call");
            assertTrue(m.awaitWarm(Duration.ofSeconds(90)), "the anchor kernels and loops warm up within 90 s");
            for (AnchorGate g : m.anchorGates()) assertTrue(g.ready(), g + " ready");
            checkValues(forward(m), "warm");
            // A timed slow call could close a gate (load); all four ran the Vector API form unless the guard fired.
            if (AnchorGate.PANEL_GEMM.demotions() + AnchorGate.DIRECT_CONV.demotions()
                    + AnchorGate.WINOGRAD_ROWS.demotions() == 0) {
                assertEquals(List.of(true, true, true, true), m.lastAnchorCallsVector());
            }
        }
    }

    @Test
    void awaitWarmIsTrueAtOnceWithoutVectorCodeAndRejectsANegativeTimeout() {
        try (CompiledModule m = JvmCompiler.compile(IrParser.parse(IR), Map.of("w", Tensor.wrap(w, 23, 37), "b",
                Tensor.wrap(b, 23), "cw", Tensor.wrap(cw, 11, 2, 3, 3), "ww", Tensor.wrap(ww, 7, 8, 3, 3), "wb",
                Tensor.wrap(wb, 7), "sw", Tensor.wrap(sw, 6, 8, 3, 3)), CHECKED.withLoops(CompileOptions.Loops.SCALAR))) {
            assertTrue(m.anchorGates().isEmpty());
            assertTrue(m.awaitWarm(Duration.ZERO));
            checkValues(forward(m), "scalar");
            assertEquals(List.of(false, false, false, false), m.lastAnchorCallsVector());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> m.awaitWarm(Duration.ofMillis(-1)));
            assertTrue(e.getMessage().contains("non-negative") && e.getMessage().contains("PT-0.001S"), e.getMessage());
        }
    }

    @Test
    void theGuardClosesAGateAfterTwoSlowCallsInARow() {
        AnchorGate g = AnchorGate.DIRECT_CONV;
        try {
            g.markReady();
            long fmas = 1_000_000;
            long slow = g.slowNanos(fmas);
            // At most 16x the warm-up's best (at least 0.4 ns) per multiply-add, plus 50 us.
            assertTrue(slow >= AnchorGate.MIN_SLOW_PICOS * fmas / 1000 + SlowCallGuard.SLOW_SLACK_NANOS, "bound " + slow);
            int before = g.demotions();
            g.timed(fmas, slow + 1);
            g.timed(fmas, slow); // not slow: the run is broken
            g.timed(fmas, slow + 1);
            assertTrue(g.ready(), "one slow call at a time does not close the gate");
            g.timed(fmas, slow + 1);
            assertFalse(g.ready(), "two slow calls in a row close the gate");
            assertEquals(before + 1, g.demotions());
        } finally {
            release();
        }
    }
}
