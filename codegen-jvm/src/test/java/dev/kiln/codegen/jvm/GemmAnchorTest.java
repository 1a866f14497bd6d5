package dev.kiln.codegen.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.codegen.jvm.vector.PanelGemm;
import dev.kiln.eager.KilnException;
import dev.kiln.eager.Parallel;
import dev.kiln.eager.Storage;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.text.IrParser;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The compiled GEMM/conv anchors ({@link LinearAnchor}, {@link ConvAnchor}, {@link GemmCall}) against float64
 * references computed here with plain loops: odd sizes, batch sizes on both sides of the {@code sgemv}/{@code sgemm}
 * switch, products large enough to be split over two threads, non-contiguous and offset inputs, conv stride,
 * padding, dilation and groups, unbatched conv input, epilogue anchors, fallbacks, threads, allocation and close.
 */
class GemmAnchorTest {
    private static final CompileOptions CHECKED = CompileOptions.defaults().withVerify(true);

    private static float[] ramp(int n, double scale, double phase) { return JvmCompilerTest.ramp(n, scale, phase); }

    private static CompiledModule compile(String ir, Map<String, Tensor> consts) {
        return JvmCompiler.compile(IrParser.parse(ir), consts, CHECKED);
    }

    /** {@code x [m, k]} (row-major values) times {@code w [n, k]} transposed, plus {@code b}, in float64. */
    static double[] linearRef(float[] x, int m, int k, float[] w, int n, float[] b) {
        double[] y = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = b == null ? 0 : b[j];
                for (int t = 0; t < k; t++) s += (double) x[i * k + t] * w[j * k + t];
                y[i * n + j] = s;
            }
        }
        return y;
    }

    static void assertClose(double[] want, float[] got, double rel, String what) {
        assertEquals(want.length, got.length, what + ": length");
        double scale = 1;
        for (double v : want) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], rel * scale, what + " at " + i);
        }
    }

    static float[] values(Tensor t) { return t.contiguous().storage().floats(); }

    static final String LINEAR = """
            graph(%x : f32[B, 37]):
              %w : f32[23, 37] = param["w"]
              %b : f32[23] = param["b"]
              %1 : f32[B, 23] = aten::linear(%x, %w, %b)
              return (%1)
            """;

    @Test
    void linearMatchesFloat64AtBatchSizesOnBothSidesOfTheGemvSwitch() {
        float[] w = ramp(23 * 37, 0.5, 0.1);
        float[] b = ramp(23, 1, 2);
        try (CompiledModule m = compile(LINEAR, Map.of("w", Tensor.wrap(w, 23, 37), "b", Tensor.wrap(b, 23)))) {
            assertTrue(m.report().loweredGroups().stream().anyMatch(s -> s.contains("aten::linear by a constant 23x37")),
                    m.report().toString());
            for (int rows : new int[] {1, 3, 8, 9, 33, 5, 1}) {
                float[] x = ramp(rows * 37, 2, rows);
                float[] got = values(m.forward(Tensor.wrap(x, rows, 37)).get(0));
                assertClose(linearRef(x, rows, 37, w, 23, b), got, 1e-5, "rows=" + rows);
            }
        }
    }

    /**
     * Inputs whose rows are contiguous runs at a larger stride (a {@code select} of one step of a sequence, a row
     * slice) are read in place, on both the BLAS form (gate held closed) and the panel form (gate open), and agree
     * with float64; the stride is found by {@link LinearAnchor#rowStride}, which refuses layouts that do not fold.
     */
    @Test
    void linearReadsRowStridedViewsInPlaceOnBothForms() {
        float[] w = ramp(23 * 37, 0.5, 0.1);
        float[] b = ramp(23, 1, 2);
        try (CompiledModule m = compile(LINEAR, Map.of("w", Tensor.wrap(w, 23, 37), "b", Tensor.wrap(b, 23)))) {
            for (int rows : new int[] {2, 8}) {
                // [rows, 3, 37] storage at offset 4; step 1 of the middle dim: rows of 37 at stride 111.
                float[] big = ramp(4 + rows * 3 * 37, 1.25, rows);
                Tensor x = Tensor.fromStorage(Storage.wrap(big), new int[] {rows, 37}, new int[] {3 * 37, 1}, 4 + 37);
                assertEquals(3 * 37, LinearAnchor.rowStride(x, 37));
                float[] xs = values(x);
                try {
                    AnchorGate.PANEL_GEMM.hold();
                    assertClose(linearRef(xs, rows, 37, w, 23, b), values(m.forward(x).get(0)), 1e-5, "BLAS, rows=" + rows);
                    AnchorGate.PANEL_GEMM.reset();
                    AnchorGate.PANEL_GEMM.markReady();
                    assertClose(linearRef(xs, rows, 37, w, 23, b), values(m.forward(x).get(0)), 1e-5, "panels, rows=" + rows);
                } finally {
                    AnchorGate.PANEL_GEMM.reset();
                }
            }
        }
        float[] any = new float[400];
        assertEquals(37, LinearAnchor.rowStride(Tensor.fromStorage(Storage.wrap(any), new int[] {2, 4, 37},
                new int[] {148, 37, 1}, 0), 37), "dense rank 3 folds");
        assertEquals(-1, LinearAnchor.rowStride(Tensor.fromStorage(Storage.wrap(any), new int[] {2, 4, 37},
                new int[] {160, 37, 1}, 0), 37), "a gap between batches does not fold");
        assertEquals(-1, LinearAnchor.rowStride(Tensor.fromStorage(Storage.wrap(any), new int[] {4, 37},
                new int[] {1, 4}, 0), 37), "transposed rows are not contiguous");
        assertEquals(-1, LinearAnchor.rowStride(Tensor.fromStorage(Storage.wrap(any), new int[] {4, 37},
                new int[] {0, 1}, 0), 37), "broadcast rows overlap");
    }

    @Test
    void linearOnANonContiguousOffsetInputAndARank3Input() {
        String ir = """
                graph(%x : f32[B, 4, 37]):
                  %w : f32[23, 37] = param["w"]
                  %1 : f32[B, 4, 23] = aten::linear(%x, %w, None)
                  return (%1)
                """;
        float[] w = ramp(23 * 37, 0.5, 0.1);
        try (CompiledModule m = compile(ir, Map.of("w", Tensor.wrap(w, 23, 37)))) {
            int bsz = 3;
            // A (B, 4, 37) view at offset 5 whose last two dims are transposed in storage.
            float[] big = ramp(5 + bsz * 4 * 37, 1.5, 0.7);
            Tensor x = Tensor.fromStorage(Storage.wrap(big), new int[] {bsz, 4, 37}, new int[] {4 * 37, 1, 4}, 5);
            float[] xs = values(x);
            float[] got = values(m.forward(x).get(0));
            assertClose(linearRef(xs, bsz * 4, 37, w, 23, null), got, 1e-5, "view");
            assertEquals(List.of(3L, 4L, 23L), boxed(m.forward(x).get(0).shape()));
        }
    }

    /**
     * Linear anchors in both GEMM implementations (Vector API panels with loops AUTO, BLAS only with SCALAR): odd
     * {@code K}, {@code N} that is and is not a multiple of the panel width, every row count 1–9 (the 4-row blocks,
     * their 2- and 3-row remainders, the 1-row block), 13, and both sides of the panel row limits, with and without
     * bias, on contiguous and on transposed, offset views.
     */
    @Test
    void linearMatchesFloat64WithAndWithoutVectorPanels() {
        int[][] shapes = {{101, 35}, {37, 23}, {16, 32}, {5, 3}};
        int[] rowCounts = {1, 2, 3, 4, 5, 6, 7, 8, 9, 13, LinearAnchor.PANEL_ROWS, LinearAnchor.PANEL_ROWS + 1};
        for (CompileOptions.Loops loops : new CompileOptions.Loops[] {CompileOptions.Loops.AUTO,
                CompileOptions.Loops.SCALAR}) {
            for (int[] sh : shapes) {
                int k = sh[0];
                int n = sh[1];
                for (boolean withBias : new boolean[] {true, false}) {
                    String ir = "graph(%x : f32[B, " + k + "]):\n  %w : f32[" + n + ", " + k + "] = param[\"w\"]\n"
                            + (withBias ? "  %b : f32[" + n + "] = param[\"b\"]\n" : "")
                            + "  %1 : f32[B, " + n + "] = aten::linear(%x, %w, " + (withBias ? "%b" : "None") + ")\n"
                            + "  return (%1)\n";
                    float[] w = ramp(n * k, 0.3, 0.2);
                    float[] b = withBias ? ramp(n, 1, 1.3) : null;
                    Map<String, Tensor> consts = withBias ? Map.of("w", Tensor.wrap(w, n, k), "b", Tensor.wrap(b, n))
                            : Map.of("w", Tensor.wrap(w, n, k));
                    try (CompiledModule m = JvmCompiler.compile(IrParser.parse(ir), consts, CHECKED.withLoops(loops))) {
                        boolean panels = m.report().loweredGroups().stream().anyMatch(l -> l.contains("Vector API panel"));
                        assertEquals(loops == CompileOptions.Loops.AUTO && JvmCompiler.vectorModulePresent(), panels,
                                m.report().toString());
                        for (int rows : rowCounts) {
                            String what = loops + " " + k + "x" + n + (withBias ? "+b" : "") + " rows=" + rows;
                            float[] x = ramp(rows * k, 1.7, rows + 0.5);
                            assertClose(linearRef(x, rows, k, w, n, b), values(m.forward(Tensor.wrap(x, rows, k)).get(0)),
                                    1e-5, what);
                            // The same values as a transposed view at offset 3: [rows, k] with strides (1, rows).
                            float[] t = new float[3 + rows * k];
                            for (int i = 0; i < rows; i++) for (int c = 0; c < k; c++) t[3 + c * rows + i] = x[i * k + c];
                            Tensor view = Tensor.fromStorage(Storage.wrap(t), new int[] {rows, k}, new int[] {1, rows}, 3);
                            assertClose(linearRef(x, rows, k, w, n, b), values(m.forward(view).get(0)), 1e-5,
                                    what + " view");
                        }
                    }
                }
            }
        }
    }

    private static List<Long> boxed(long[] s) {
        List<Long> l = new ArrayList<>();
        for (long v : s) l.add(v);
        return l;
    }

    @Test
    void matmulAndMmByAConstantMatrix() {
        String ir = """
                graph(%x : f32[B, 19], %y : f32[B, 2, 19]):
                  %w : f32[19, 11] = param["w"]
                  %1 : f32[B, 11] = aten::mm(%x, %w)
                  %2 : f32[B, 2, 11] = aten::matmul(%y, %w)
                  return (%1, %2)
                """;
        float[] w = ramp(19 * 11, 1, 0.4);
        float[] wt = new float[11 * 19];
        for (int i = 0; i < 19; i++) for (int j = 0; j < 11; j++) wt[j * 19 + i] = w[i * 11 + j];
        try (CompiledModule m = compile(ir, Map.of("w", Tensor.wrap(w, 19, 11)))) {
            assertEquals(2, m.report().loweredGroups().stream().filter(s -> s.contains("packed off-heap")).count(),
                    m.report().toString());
            for (int rows : new int[] {2, 13}) {
                float[] x = ramp(rows * 19, 1, 0.2);
                float[] y = ramp(rows * 2 * 19, 1, 0.9);
                List<Tensor> out = m.forward(Tensor.wrap(x, rows, 19), Tensor.wrap(y, rows, 2, 19));
                assertClose(linearRef(x, rows, 19, wt, 11, null), values(out.get(0)), 1e-5, "mm rows=" + rows);
                assertClose(linearRef(y, rows * 2, 19, wt, 11, null), values(out.get(1)), 1e-5, "matmul rows=" + rows);
            }
        }
    }

    @Test
    void matmulOfAVectorAndLinearWithAOneElementBias() {
        String ir = """
                graph(%v : f32[19], %x : f32[B, 19]):
                  %w : f32[19, 11] = param["w"]
                  %lw : f32[11, 19] = param["lw"]
                  %b : f32[1] = param["b"]
                  %1 : f32[11] = aten::matmul(%v, %w)
                  %2 : f32[B, 11] = aten::linear(%x, %lw, %b)
                  return (%1, %2)
                """;
        float[] w = ramp(19 * 11, 1, 0.4);
        float[] wt = new float[11 * 19];
        for (int i = 0; i < 19; i++) for (int j = 0; j < 11; j++) wt[j * 19 + i] = w[i * 11 + j];
        float[] lw = ramp(11 * 19, 0.8, 1.3);
        try (CompiledModule m = compile(ir, Map.of("w", Tensor.wrap(w, 19, 11), "lw", Tensor.wrap(lw, 11, 19),
                "b", Tensor.wrap(new float[] {0.75f}, 1)))) {
            assertEquals(2, m.report().loweredGroups().stream().filter(s -> s.contains("packed off-heap")).count(),
                    m.report().toString());
            float[] v = ramp(19, 1, 0.1);
            float[] x = ramp(3 * 19, 1, 0.2);
            List<Tensor> out = m.forward(Tensor.wrap(v, 19), Tensor.wrap(x, 3, 19));
            assertEquals(List.of(11L), boxed(out.get(0).shape()));
            assertClose(linearRef(v, 1, 19, wt, 11, null), values(out.get(0)), 1e-5, "vector");
            float[] b = new float[11];
            java.util.Arrays.fill(b, 0.75f);
            assertClose(linearRef(x, 3, 19, lw, 11, b), values(out.get(1)), 1e-5, "scalar bias");
        }
    }

    @Test
    void epilogueAnchorFeedsTheGeneratedLoop() {
        String ir = """
                graph(%x : f32[B, 29], %r : f32[B, 13]):
                  %w : f32[13, 29] = param["w"]
                  %b : f32[13] = param["b"]
                  %y : f32[B, 13] = kiln::fused_epilogue(%x, %w, %b, %r)
                    block(%p : f32[B, 29], %pw : f32[13, 29], %pb : f32[13], %q : f32[B, 13]):
                      %1 : f32[B, 13] = aten::linear(%p, %pw, %pb)
                      %2 : f32[B, 13] = aten::add(%1, %q)
                      %3 : f32[B, 13] = aten::relu(%2)
                      return (%3)
                  return (%y)
                """;
        float[] w = ramp(13 * 29, 0.7, 0.3);
        float[] b = ramp(13, 0.5, 1.1);
        try (CompiledModule m = compile(ir, Map.of("w", Tensor.wrap(w, 13, 29), "b", Tensor.wrap(b, 13)))) {
            assertTrue(m.report().loweredGroups().stream().anyMatch(s -> s.contains("anchor aten::linear")),
                    m.report().toString());
            for (int rows : new int[] {1, 17}) {
                float[] x = ramp(rows * 29, 1, rows);
                float[] r = ramp(rows * 13, 1, 0.5);
                float[] got = values(m.forward(Tensor.wrap(x, rows, 29), Tensor.wrap(r, rows, 13)).get(0));
                double[] want = linearRef(x, rows, 29, w, 13, b);
                for (int i = 0; i < want.length; i++) want[i] = Math.max(0, want[i] + r[i]);
                assertClose(want, got, 1e-5, "rows=" + rows);
            }
        }
    }

    /** Direct float64 convolution of {@code x [n, c, h, w]} by {@code wt [o, c/g, kh, kw]}. */
    static double[] convRef(float[] x, int n, int c, int h, int wd, float[] wt, int o, int kh, int kw,
                                    float[] bias, int s, int p, int d, int g, int oh, int ow) {
        int cg = c / g;
        int og = o / g;
        double[] y = new double[n * o * oh * ow];
        for (int b = 0; b < n; b++) {
            for (int oc = 0; oc < o; oc++) {
                int gi = oc / og;
                for (int yy = 0; yy < oh; yy++) {
                    for (int xx = 0; xx < ow; xx++) {
                        double acc = bias == null ? 0 : bias[oc];
                        for (int ci = 0; ci < cg; ci++) {
                            for (int ki = 0; ki < kh; ki++) {
                                for (int kj = 0; kj < kw; kj++) {
                                    int iy = yy * s - p + ki * d;
                                    int ix = xx * s - p + kj * d;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                                    acc += (double) x[((b * c + gi * cg + ci) * h + iy) * wd + ix]
                                            * wt[((oc * cg + ci) * kh + ki) * kw + kj];
                                }
                            }
                        }
                        y[((b * o + oc) * oh + yy) * ow + xx] = acc;
                    }
                }
            }
        }
        return y;
    }

    /** One conv2d graph; {@code o} output channels, 6 input channels, 3x5 kernel on 11x9 images. */
    private static void checkConv(int o, int s, int p, int d, int g, boolean bias, int[] batches) {
        for (CompileOptions.Loops loops : new CompileOptions.Loops[] {CompileOptions.Loops.AUTO,
                CompileOptions.Loops.SCALAR}) {
            checkConv(o, s, p, d, g, bias, batches, CHECKED.withLoops(loops));
        }
    }

    /**
     * As above under {@code options}; with the Vector API in use, groups of 3–32 output channels must take the
     * {@code PanelGemm} form (and others not).
     */
    private static void checkConv(int o, int s, int p, int d, int g, boolean bias, int[] batches,
                                  CompileOptions options) {
        int c = 6;
        int h = 11;
        int wd = 9;
        int kh = 3;
        int kw = 5;
        int oh = (h + 2 * p - d * (kh - 1) - 1) / s + 1;
        int ow = (wd + 2 * p - d * (kw - 1) - 1) / s + 1;
        String ir = "graph(%x : f32[B, 6, 11, 9]):\n"
                + "  %w : f32[" + o + ", " + (c / g) + ", 3, 5] = param[\"w\"]\n"
                + (bias ? "  %b : f32[" + o + "] = param[\"b\"]\n" : "")
                + "  %1 : f32[B, " + o + ", " + oh + ", " + ow + "] = aten::conv2d(%x, %w, " + (bias ? "%b" : "None")
                + ", stride=[" + s + ", " + s + "], padding=[" + p + ", " + p + "], dilation=[" + d + ", " + d
                + "], groups=" + g + ")\n"
                + "  return (%1)\n";
        float[] w = ramp(o * (c / g) * kh * kw, 0.6, 0.2 + o);
        float[] b = ramp(o, 1, 0.8);
        Map<String, Tensor> consts = bias ? Map.of("w", Tensor.wrap(w, o, c / g, kh, kw), "b", Tensor.wrap(b, o))
                : Map.of("w", Tensor.wrap(w, o, c / g, kh, kw));
        try (CompiledModule m = JvmCompiler.compile(IrParser.parse(ir), consts, options)) {
            assertTrue(m.report().loweredGroups().stream().anyMatch(t -> t.contains("aten::conv2d by a constant")),
                    m.report().toString());
            int og = o / g;
            boolean panels = options.loops() != CompileOptions.Loops.SCALAR && JvmCompiler.vectorModulePresent()
                    && og >= LinearAnchor.PANEL_MIN_ROWS && og <= ConvAnchor.PANEL_ROWS;
            assertEquals(panels, m.report().loweredGroups().stream().anyMatch(t -> t.contains("Vector API panel")),
                    m.report().toString());
            for (int n : batches) {
                float[] x = ramp(n * c * h * wd, 1.3, n + 0.1);
                float[] got = values(m.forward(Tensor.wrap(x, n, c, h, wd)).get(0));
                String what = "o=" + o + " s=" + s + " p=" + p + " d=" + d + " g=" + g + " bias=" + bias + " n=" + n;
                assertClose(convRef(x, n, c, h, wd, w, o, kh, kw, bias ? b : null, s, p, d, g, oh, ow), got, 1e-5, what);
            }
        }
    }

    @Test
    void convMatchesFloat64WithStridePaddingDilationGroupsAndBothGemmForms() {
        // Each in both modes: AUTO (Vector API panels for 3-64 rows per group) and SCALAR (BLAS only).
        checkConv(2, 1, 1, 1, 1, true, new int[] {1, 2});      // 2 rows: sgemv in both modes, wide with padding
        checkConv(70, 1, 0, 1, 1, true, new int[] {2});        // 70 rows: sgemm in both modes
        checkConv(33, 1, 1, 1, 1, false, new int[] {2});       // 33 rows: sgemm in both modes (conv panel limit)
        checkConv(4, 1, 0, 1, 1, true, new int[] {1, 3});      // 4 rows: sgemv per output channel
        checkConv(12, 2, 1, 1, 1, true, new int[] {2, 1, 5});  // 12 rows: sgemm, stride 2 (strided im2col)
        checkConv(10, 1, 2, 2, 2, false, new int[] {3});       // groups 2 (5 rows each), dilation 2, padding 2
        checkConv(18, 3, 1, 1, 3, true, new int[] {1, 4});     // groups 3 (6 rows each), stride 3
        checkConv(20, 1, 1, 1, 2, true, new int[] {2});        // groups 2 (10 rows each: sgemm)
    }

    /**
     * A stride-1 conv2d of {@code x [B, c, h, w]} by an {@code [o, c/g, k, k]} weight: with the Vector API (AUTO) the
     * report names the direct form for 3+ channels per group — the row-Winograd one for 3x3 kernels without dilation
     * and at least {@link ConvAnchor#WINOGRAD_MIN_K} reduction steps per kernel row — and each shape here is one it
     * runs (checked with {@link ConvAnchor#directFits}); SCALAR runs BLAS. Both against float64.
     */
    private static void checkDirect(int o, int c, int h, int wd, int k, int p, int d, int g, boolean bias,
                                    int[] batches, CompileOptions options) {
        int oh = h + 2 * p - d * (k - 1);
        int ow = wd + 2 * p - d * (k - 1);
        String ir = "graph(%x : f32[B, " + c + ", " + h + ", " + wd + "]):\n"
                + "  %w : f32[" + o + ", " + (c / g) + ", " + k + ", " + k + "] = param[\"w\"]\n"
                + (bias ? "  %b : f32[" + o + "] = param[\"b\"]\n" : "")
                + "  %1 : f32[B, " + o + ", " + oh + ", " + ow + "] = aten::conv2d(%x, %w, " + (bias ? "%b" : "None")
                + ", stride=[1, 1], padding=[" + p + ", " + p + "], dilation=[" + d + ", " + d + "], groups=" + g
                + ")\n  return (%1)\n";
        float[] w = ramp(o * (c / g) * k * k, 0.3, 0.2 + o);
        float[] b = ramp(o, 1, 0.8);
        Map<String, Tensor> consts = bias ? Map.of("w", Tensor.wrap(w, o, c / g, k, k), "b", Tensor.wrap(b, o))
                : Map.of("w", Tensor.wrap(w, o, c / g, k, k));
        try (CompiledModule m = JvmCompiler.compile(IrParser.parse(ir), consts, options)) {
            boolean vector = options.loops() != CompileOptions.Loops.SCALAR && JvmCompiler.vectorModulePresent();
            assertEquals(vector, m.report().toString().contains("direct Vector API convolution"), m.report().toString());
            boolean winograd = vector && k == 3 && d == 1 && (c / g) * k >= ConvAnchor.WINOGRAD_MIN_K;
            assertEquals(winograd, m.report().toString().contains("row-Winograd"), m.report().toString());
            if (vector) assertTrue(ConvAnchor.directFits(ow), "test shape ow=" + ow + " must take the direct form");
            for (int n : batches) {
                float[] x = ramp(n * c * h * wd, 1.3, n + 0.1);
                for (int rep = 0; rep < 2; rep++) { // the second call reuses the frame's bordered input
                    float[] got = values(m.forward(Tensor.wrap(x, n, c, h, wd)).get(0));
                    String what = "direct o=" + o + " c=" + c + " " + h + "x" + wd + " k=" + k + " p=" + p + " d=" + d
                            + " g=" + g + " bias=" + bias + " n=" + n + " " + options.loops();
                    assertClose(convRef(x, n, c, h, wd, w, o, k, k, bias ? b : null, 1, p, d, g, oh, ow), got, 1e-5,
                            what);
                }
            }
        }
    }

    @Test
    void directConvMatchesFloat64() {
        for (CompileOptions.Loops loops : new CompileOptions.Loops[] {CompileOptions.Loops.AUTO,
                CompileOptions.Loops.SCALAR}) {
            CompileOptions options = CHECKED.withLoops(loops);
            checkDirect(32, 32, 16, 16, 3, 1, 1, 1, true, new int[] {2, 3}, options); // resnet_block's convs
            checkDirect(13, 5, 12, 23, 3, 1, 1, 1, true, new int[] {1, 2}, options);  // 6+4+4(3) blocks, ow 23
            checkDirect(14, 6, 14, 14, 5, 2, 1, 2, true, new int[] {3}, options);     // groups 2 of 7, 5x5
            checkDirect(9, 3, 13, 13, 3, 2, 2, 1, false, new int[] {1}, options);     // dilation 2, no bias
            checkDirect(40, 3, 5, 12, 1, 0, 1, 1, true, new int[] {2}, options);      // 1x1 kernel, 40 = 6·5 + 5·2
            // Row-Winograd (3x3, C/g·3 >= 24): odd output height (last tile row half used), partial units, groups
            checkDirect(13, 9, 11, 13, 3, 1, 1, 1, true, new int[] {1, 3}, options);  // oh 11, ow 13
            checkDirect(24, 16, 9, 14, 3, 0, 1, 2, false, new int[] {2}, options);    // groups 2 of 12, no padding
            checkDirect(10, 8, 4, 25, 3, 2, 1, 1, true, new int[] {2}, options);      // padding 2: oh 6, ow 27
        }
    }

    @Test
    void directConvOnUnbatchedAndNonContiguousInputs() {
        directConvOnUnbatchedAndNonContiguousInputs(3);  // direct
        directConvOnUnbatchedAndNonContiguousInputs(8);  // row-Winograd (8 channels x 3 columns = 24 steps per row)
    }

    private static void directConvOnUnbatchedAndNonContiguousInputs(int c) {
        String ir = "graph(%x : f32[" + c + ", 12, 13], %y : f32[B, " + c + ", 12, 13]):\n"
                + "  %w : f32[7, " + c + ", 3, 3] = param[\"w\"]\n"
                + "  %1 : f32[7, 12, 13] = aten::conv2d(%x, %w, None, stride=[1, 1], padding=[1, 1], dilation=[1, 1],"
                + " groups=1)\n"
                + "  %2 : f32[B, 7, 12, 13] = aten::conv2d(%y, %w, None, stride=[1, 1], padding=[1, 1], dilation=[1, 1],"
                + " groups=1)\n"
                + "  return (%1, %2)\n";
        float[] w = ramp(7 * c * 9, 0.5, 0.3);
        try (CompiledModule m = compile(ir, Map.of("w", Tensor.wrap(w, 7, c, 3, 3)))) {
            assertEquals(JvmCompiler.vectorModulePresent(), m.report().toString().contains("direct Vector API"));
            assertEquals(JvmCompiler.vectorModulePresent() && c * 3 >= ConvAnchor.WINOGRAD_MIN_K,
                    m.report().toString().contains("row-Winograd"));
            float[] x = ramp(c * 156, 1, 0.1);
            // y: (2, c, 12, 13) stored as (2, c, 13, 12), i.e. its last two dims transposed, at offset 3
            float[] big = ramp(3 + 2 * c * 156, 1, 0.6);
            Tensor y = Tensor.fromStorage(Storage.wrap(big), new int[] {2, c, 12, 13}, new int[] {c * 156, 156, 1, 12},
                    3);
            for (int rep = 0; rep < 2; rep++) {
                List<Tensor> out = m.forward(Tensor.wrap(x, c, 12, 13), y);
                assertEquals(List.of(7L, 12L, 13L), boxed(out.get(0).shape()));
                assertClose(convRef(x, 1, c, 12, 13, w, 7, 3, 3, null, 1, 1, 1, 1, 12, 13), values(out.get(0)), 1e-5,
                        "unbatched c=" + c);
                assertClose(convRef(values(y), 2, c, 12, 13, w, 7, 3, 3, null, 1, 1, 1, 1, 12, 13), values(out.get(1)),
                        1e-5, "view c=" + c);
            }
        }
    }

    @Test
    void directConvSplitOverTwoThreadsAndConcurrentCallersMatchFloat64() throws Exception {
        int before = Parallel.numThreads();
        Parallel.setNumThreads(2);
        try {
            // 2 x 32 x 22 x 23 (row-Winograd: 4 x 44 units, the second of each row partial: 7 columns) and 2 x 12 x
            // 22 x 23 with a 5x5 kernel (direct: 88 units), both over DIRECT_SPLIT_FMAS: shared unit by unit between
            // the caller and a worker.
            checkDirect(32, 32, 22, 23, 3, 1, 1, 1, true, new int[] {2}, CHECKED);
            checkDirect(12, 12, 22, 23, 5, 2, 1, 1, true, new int[] {2}, CHECKED);
            // mynet's conv at batch 12 (K = 9, 624 units, 1.4M multiply-adds): shared in pieces of 28-unit walks.
            checkDirect(16, 1, 28, 28, 3, 0, 1, 1, true, new int[] {12}, CHECKED);
        } finally {
            Parallel.setNumThreads(before);
        }
        float[] w = ramp(13 * 5 * 9, 0.3, 0.4);
        String ir = """
                graph(%x : f32[B, 5, 12, 23]):
                  %w : f32[13, 5, 3, 3] = param["w"]
                  %1 : f32[B, 13, 12, 23] = aten::conv2d(%x, %w, None, stride=[1, 1], padding=[1, 1], dilation=[1, 1], groups=1)
                  return (%1)
                """;
        try (CompiledModule m = compile(ir, Map.of("w", Tensor.wrap(w, 13, 5, 3, 3)))) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> fs = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    int n = 1 + t % 4;
                    fs.add(pool.submit(() -> {
                        float[] x = ramp(n * 5 * 12 * 23, 1, n);
                        double[] want = convRef(x, n, 5, 12, 23, w, 13, 3, 3, null, 1, 1, 1, 1, 12, 23);
                        for (int rep = 0; rep < 50; rep++) {
                            assertClose(want, values(m.forward(Tensor.wrap(x, n, 5, 12, 23)).get(0)), 1e-5, "n=" + n);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : fs) f.get();
            } finally {
                pool.shutdown();
            }
        }
    }

    @Test
    void directConvSteadyStateCallAllocatesLittleBeyondItsOutput() {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        String ir = """
                graph(%x : f32[B, 8, 16, 16]):
                  %w : f32[12, 8, 3, 3] = param["w"]
                  %b : f32[12] = param["b"]
                  %1 : f32[B, 12, 16, 16] = aten::conv2d(%x, %w, %b, stride=[1, 1], padding=[1, 1], dilation=[1, 1], groups=1)
                  return (%1)
                """;
        try (CompiledModule m = compile(ir, Map.of("w", Tensor.wrap(ramp(12 * 72, 0.3, 0.1), 12, 8, 3, 3), "b",
                Tensor.wrap(ramp(12, 1, 2), 12)))) {
            Tensor x = Tensor.wrap(ramp(2 * 8 * 256, 1, 0), 2, 8, 16, 16);
            for (int i = 0; i < 2000; i++) m.forward(x);
            long t = Thread.currentThread().getId();
            long before = mx.getThreadAllocatedBytes(t);
            int calls = 1000;
            for (int i = 0; i < calls; i++) m.forward(x);
            long perCall = (mx.getThreadAllocatedBytes(t) - before) / calls;
            long output = 2 * 12 * 256 * 4;
            assertTrue(perCall < output + 1024, "allocated " + perCall + " B per call for a " + output + " B output");
        }
    }

    @Test
    void convOnUnbatchedAndNonContiguousInputs() {
        String ir = """
                graph(%x : f32[3, 7, 8], %y : f32[B, 3, 7, 8]):
                  %w : f32[9, 3, 3, 3] = param["w"]
                  %1 : f32[9, 7, 8] = aten::conv2d(%x, %w, None, stride=[1, 1], padding=[1, 1], dilation=[1, 1], groups=1)
                  %2 : f32[B, 9, 7, 8] = aten::conv2d(%y, %w, None, stride=[1, 1], padding=[1, 1], dilation=[1, 1], groups=1)
                  return (%1, %2)
                """;
        float[] w = ramp(9 * 27, 0.5, 0.3);
        try (CompiledModule m = compile(ir, Map.of("w", Tensor.wrap(w, 9, 3, 3, 3)))) {
            float[] x = ramp(3 * 56, 1, 0.1);
            // y: (2, 3, 7, 8) stored as (2, 3, 8, 7), i.e. its last two dims transposed, at offset 3
            float[] big = ramp(3 + 2 * 3 * 56, 1, 0.6);
            Tensor y = Tensor.fromStorage(Storage.wrap(big), new int[] {2, 3, 7, 8}, new int[] {168, 56, 1, 7}, 3);
            List<Tensor> out = m.forward(Tensor.wrap(x, 3, 7, 8), y);
            assertEquals(List.of(9L, 7L, 8L), boxed(out.get(0).shape()));
            assertClose(convRef(x, 1, 3, 7, 8, w, 9, 3, 3, null, 1, 1, 1, 1, 7, 8), values(out.get(0)), 1e-5, "unbatched");
            assertClose(convRef(values(y), 2, 3, 7, 8, w, 9, 3, 3, null, 1, 1, 1, 1, 7, 8), values(out.get(1)), 1e-5,
                    "view");
        }
    }

    @Test
    void largeProductsSplitOverTwoThreadsMatchFloat64() {
        for (CompileOptions.Loops loops : new CompileOptions.Loops[] {CompileOptions.Loops.AUTO,
                CompileOptions.Loops.SCALAR}) {
            largeProductsSplitOverTwoThreads(CHECKED.withLoops(loops));
        }
    }

    private static void largeProductsSplitOverTwoThreads(CompileOptions options) {
        int before = Parallel.numThreads();
        Parallel.setNumThreads(2);
        try {
            // 8 rows x 2048 x 520: 8.5M multiply-adds, the sgemv form split by rows (SCALAR) or the panel form
            // split by panels (AUTO, 520 = 32 full panels of 16 + 8 columns on AVX2).
            // 40 rows x 1024 x 200: 8.2M multiply-adds, the sgemm form split by column blocks (200 = 112 + 88) in
            // SCALAR, panels in AUTO; 80 rows x 1024 x 100 (8.2M): the split sgemm form in both.
            int[][] shapes = {{8, 2048, 520}, {40, 1024, 200}, {80, 1024, 100}};
            for (int[] sh : shapes) {
                int rows = sh[0];
                int k = sh[1];
                int n = sh[2];
                assertTrue((long) rows * k * n >= GemmCall.SPLIT_FMAS);
                checkBiasedLinear(rows, k, n, options, 1);
            }
            // 16 x 90 x 29700 columns: split sgemm (SCALAR), split panels (AUTO)
            checkConv(16, 1, 1, 1, 1, true, new int[] {300}, options);
        } finally {
            Parallel.setNumThreads(before);
        }
    }

    /**
     * Panel products with fewer panels than threads (a classifier's 10 or 12 outputs: one panel) are split by blocks
     * of four rows instead, each block with its own scratch for the partial panel: 30 rows (8 blocks, the last of 2
     * rows) and 9 rows (blocks of 4, 4 and 1), both over {@link GemmCall#SPLIT_FMAS}, with the panel gate open.
     */
    @Test
    void narrowPanelProductsSplitByRowsOverTwoThreadsMatchFloat64() {
        assumeTrue(JvmCompiler.vectorModulePresent(), "needs jdk.incubator.vector");
        int before = Parallel.numThreads();
        Parallel.setNumThreads(2);
        AnchorGate.PANEL_GEMM.markReady();
        try {
            int[][] shapes = {{30, 20000, 10}, {9, 50000, 12}};
            for (int[] sh : shapes) {
                int rows = sh[0];
                int k = sh[1];
                int n = sh[2];
                assertTrue((long) rows * k * n >= GemmCall.SPLIT_FMAS && n < PanelGemm.WIDTH);
                checkBiasedLinear(rows, k, n, CHECKED, 3);
            }
        } finally {
            AnchorGate.PANEL_GEMM.reset();
            Parallel.setNumThreads(before);
        }
    }

    /**
     * A biased {@code linear} of {@code k} → {@code n} features compiled with {@code options}, called {@code calls}
     * times on {@code rows} rows, against float64.
     */
    private static void checkBiasedLinear(int rows, int k, int n, CompileOptions options, int calls) {
        String ir = "graph(%x : f32[B, " + k + "]):\n  %w : f32[" + n + ", " + k + "] = param[\"w\"]\n"
                + "  %b : f32[" + n + "] = param[\"b\"]\n"
                + "  %1 : f32[B, " + n + "] = aten::linear(%x, %w, %b)\n  return (%1)\n";
        float[] w = ramp(n * k, 0.1, 0.5);
        float[] b = ramp(n, 1, 0.2);
        try (CompiledModule m = JvmCompiler.compile(IrParser.parse(ir),
                Map.of("w", Tensor.wrap(w, n, k), "b", Tensor.wrap(b, n)), options)) {
            float[] x = ramp(rows * k, 1, 0.3);
            for (int call = 0; call < calls; call++) {
                assertClose(linearRef(x, rows, k, w, n, b), values(m.forward(Tensor.wrap(x, rows, k)).get(0)), 1e-5,
                        rows + "x" + k + "x" + n + " call " + call);
            }
        }
    }

    @Test
    void concurrentCallsWithDifferentBatchSizesUseTheirOwnBuffers() throws Exception {
        float[] w = ramp(23 * 37, 0.5, 0.1);
        float[] b = ramp(23, 1, 2);
        try (CompiledModule m = compile(LINEAR, Map.of("w", Tensor.wrap(w, 23, 37), "b", Tensor.wrap(b, 23)))) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> fs = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    int rows = 1 + t * 3;
                    fs.add(pool.submit(() -> {
                        float[] x = ramp(rows * 37, 1, rows);
                        double[] want = linearRef(x, rows, 37, w, 23, b);
                        for (int rep = 0; rep < 200; rep++) {
                            assertClose(want, values(m.forward(Tensor.wrap(x, rows, 37)).get(0)), 1e-5, "rows=" + rows);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : fs) f.get();
            } finally {
                pool.shutdown();
            }
        }
    }

    @Test
    void steadyStateCallAllocatesLittleBeyondItsOutput() {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        float[] w = ramp(23 * 37, 0.5, 0.1);
        float[] b = ramp(23, 1, 2);
        try (CompiledModule m = compile(LINEAR, Map.of("w", Tensor.wrap(w, 23, 37), "b", Tensor.wrap(b, 23)))) {
            Tensor x = Tensor.wrap(ramp(64 * 37, 1, 0), 64, 37);
            for (int i = 0; i < 2000; i++) m.forward(x);
            long t = Thread.currentThread().getId();
            long before = mx.getThreadAllocatedBytes(t);
            int calls = 1000;
            for (int i = 0; i < calls; i++) m.forward(x);
            long perCall = (mx.getThreadAllocatedBytes(t) - before) / calls;
            long output = 64 * 23 * 4;
            // The output array plus its Tensor, shape and the call's small argument/result arrays.
            assertTrue(perCall < output + 1024, "allocated " + perCall + " B per call for a " + output + " B output");
        }
    }

    @Test
    void nonConstantWeightsAndActivationProductsStayOnTheEagerKernels() {
        String ir = """
                graph(%x : f32[B, 3, 8, 8], %w : f32[4, 3, 3, 3], %a : f32[B, 5, 6], %c : f32[B, 6, 2]):
                  %1 : f32[B, 4, 6, 6] = aten::conv2d(%x, %w, None, stride=[1, 1], padding=[0, 0], dilation=[1, 1], groups=1)
                  %2 : f32[B, 5, 2] = aten::matmul(%a, %c)
                  return (%1, %2)
                """;
        try (CompiledModule m = compile(ir, Map.of())) {
            String r = m.report().toString();
            assertTrue(r.contains("aten::conv2d: eager kernel (its weight is computed at run time"), r);
            assertTrue(r.contains("aten::matmul: eager kernel (its weight is computed at run time"), r);
            float[] x = ramp(2 * 3 * 64, 1, 0.1);
            float[] w = ramp(4 * 27, 1, 0.2);
            List<Tensor> out = m.forward(Tensor.wrap(x, 2, 3, 8, 8), Tensor.wrap(w, 4, 3, 3, 3),
                    Tensor.wrap(ramp(60, 1, 0), 2, 5, 6), Tensor.wrap(ramp(24, 1, 1), 2, 6, 2));
            assertClose(convRef(x, 2, 3, 8, 8, w, 4, 3, 3, null, 1, 0, 1, 1, 6, 6), values(out.get(0)), 1e-5, "eager conv");
        }
    }

    @Test
    void wrongInputsFailWithClearMessagesAndClosedModulesRefuseToRun() {
        float[] w = ramp(23 * 37, 0.5, 0.1);
        CompiledModule m = compile(LINEAR, Map.of("w", Tensor.wrap(w, 23, 37), "b", Tensor.wrap(ramp(23, 1, 0), 23)));
        KilnException e = assertThrows(KilnException.class, () -> m.forward(Tensor.wrap(ramp(36, 1, 0), 1, 36)));
        assertTrue(e.getMessage().contains("input 'x'") && e.getMessage().contains("found f32[1, 36]"), e.getMessage());
        m.close();
        m.close();
        IllegalStateException c = assertThrows(IllegalStateException.class,
                () -> m.forward(Tensor.wrap(ramp(37, 1, 0), 1, 37)));
        assertTrue(c.getMessage().contains("closed"), c.getMessage());
    }
}
