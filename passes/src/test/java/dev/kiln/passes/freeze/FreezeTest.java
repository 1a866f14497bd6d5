package dev.kiln.passes.freeze;

import static dev.kiln.passes.PassTesting.expect;
import static dev.kiln.passes.PassTesting.unchanged;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.eager.Tensor;
import dev.kiln.eager.interp.Interpreter;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.text.IrParser;
import dev.kiln.ir.text.IrPrinter;
import dev.kiln.passes.PassException;
import dev.kiln.passes.PassManager;
import dev.kiln.passes.PipelineReport;
import dev.kiln.passes.cleanup.DeadCodeElimination;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FreezeTest {
    static final String CONV_BN = """
            graph(%x : f32[B, 2, 5, 5]):
              %w : f32[3, 2, 3, 3] = param["conv.weight"]
              %b : f32[3] = param["conv.bias"]
              %0 : f32[B, 3, 3, 3] = aten::conv2d(%x, %w, %b)   # conv
              %g : f32[3] = param["bn.weight"]
              %be : f32[3] = param["bn.bias"]
              %m : f32[3] = param["bn.running_mean"]
              %v : f32[3] = param["bn.running_var"]
              %1 : f32[B, 3, 3, 3] = aten::batch_norm(%0, %g, %be, %m, %v, eps=0.001)   # bn
              %2 : f32[B, 3, 3, 3] = aten::dropout(%1, p=0.3)
              %3 : f32[B, 3, 3, 3] = aten::relu(%2)
              return (%3)
            """;

    static Map<String, Tensor> convBnParams() {
        Map<String, Tensor> p = new HashMap<>();
        p.put("conv.weight", Tensor.of(ramp(54, 0.37f), 3, 2, 3, 3));
        p.put("conv.bias", Tensor.of(new float[] {0.1f, -0.2f, 0.3f}, 3));
        p.put("bn.weight", Tensor.of(new float[] {1.5f, 0.5f, -0.7f}, 3));
        p.put("bn.bias", Tensor.of(new float[] {0.2f, 0.0f, -0.1f}, 3));
        p.put("bn.running_mean", Tensor.of(new float[] {0.3f, -0.4f, 0.05f}, 3));
        p.put("bn.running_var", Tensor.of(new float[] {0.9f, 2.0f, 0.25f}, 3));
        return p;
    }

    static float[] ramp(int n, float k) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) Math.sin(i * k);
        return a;
    }

    @Test
    void convBatchNormFoldsAndComputesTheSame() {
        Graph g = IrParser.parse(CONV_BN);
        Tensor x = Tensor.of(ramp(100, 0.11f), 2, 2, 5, 5);
        Tensor before = new Interpreter(g, convBnParams()).run(x).get(0);
        PipelineReport r = PassManager.pipeline("freeze").add(FreezeParameters.of(convBnParams()),
                new RemoveEvalDropout(), new FoldBatchNorm(), new DeadCodeElimination()).verify(true).build().run(g);
        assertEquals(6, r.count("freeze-params", "frozen"));
        assertEquals(1, r.count("fold-bn", "conv-bn"));
        assertEquals(1, r.count("remove-dropout", "removed"));
        assertEquals("""
                graph(%x : f32[B, 2, 5, 5]):
                  %w.bn : f32[3, 2, 3, 3] = const(@w.bn)   # bn
                  %w.bn_bias : f32[3] = const([-0.11605225, 0.07069301, -0.4493021])   # bn
                  %1 : f32[B, 3, 3, 3] = aten::conv2d(%x, %w.bn, %w.bn_bias)   # conv
                  %3 : f32[B, 3, 3, 3] = aten::relu(%1)
                  return (%3)
                """, IrPrinter.print(g));
        Tensor after = new Interpreter(g, Map.of()).run(x).get(0);
        float[] a = before.toFloatArray();
        float[] b = after.toFloatArray();
        for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 1e-5, "element " + i);
    }

    @Test
    void linearBatchNormFoldsOnTwoDimensionalResults() {
        String in = """
                graph(%x : f32[B, 4]):
                  %w : f32[2, 4] = const([1.0, 2.0, 3.0, 4.0, -1.0, 0.5, 0.0, 2.0])
                  %g : f32[2] = const([2.0, 1.0])
                  %be : f32[2] = const([0.5, -0.5])
                  %m : f32[2] = const([1.0, 0.0])
                  %v : f32[2] = const([3.0, 0.0])
                  %0 : f32[B, 2] = aten::linear(%x, %w, None)
                  %1 : f32[B, 2] = aten::batch_norm(%0, %g, %be, %m, %v, eps=1.0)
                  return (%1)
                """;
        Graph g = IrParser.parse(in);
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, -1, 0, 1, 2}, 2, 4);
        float[] before = new Interpreter(g, Map.of()).run(x).get(0).toFloatArray();
        expect(in, """
                graph(%x : f32[B, 4]):
                  %w.bn : f32[2, 4] = const([1.0, 2.0, 3.0, 4.0, -1.0, 0.5, 0.0, 2.0])
                  %w.bn_bias : f32[2] = const([-0.5, -0.5])
                  %1 : f32[B, 2] = aten::linear(%x, %w.bn, %w.bn_bias)
                  return (%1)
                """, new FoldBatchNorm(), new DeadCodeElimination());
        g = IrParser.parse(in);
        PassManager.pipeline("p").add(new FoldBatchNorm()).verify(true).build().run(g);
        float[] after = new Interpreter(g, Map.of()).run(x).get(0).toFloatArray();
        for (int i = 0; i < before.length; i++) assertEquals(before[i], after[i], 1e-6);
    }

    @Test
    void trainingModeSharedOutputsHigherRankLinearsAndUnfrozenStatsDoNotFold() {
        unchanged("""
                graph(%x : f32[B, 4], %y : f32[B, 3, 4], %mean : f32[2]):
                  %w : f32[2, 4] = const([1.0, 2.0, 3.0, 4.0, -1.0, 0.5, 0.0, 2.0])
                  %m : f32[2] = const([1.0, 0.0])
                  %v : f32[2] = const([3.0, 1.0])
                  %0 : f32[B, 2] = aten::linear(%x, %w, None)
                  %1 : f32[B, 2] = aten::batch_norm(%0, None, None, %m, %v, training=true)
                  %2 : f32[B, 2] = aten::linear(%x, %w, None)
                  %3 : f32[B, 2] = aten::batch_norm(%2, None, None, %m, %v)
                  %4 : f32[B, 2] = aten::add(%2, %3)
                  %w3 : f32[3, 4] = const([1.0, 2.0, 3.0, 4.0, -1.0, 0.5, 0.0, 2.0, 1.0, 1.0, 1.0, 1.0])
                  %5 : f32[B, 3, 3] = aten::linear(%y, %w3, None)
                  %m3 : f32[3] = const([1.0, 0.0, 2.0])
                  %v3 : f32[3] = const([3.0, 1.0, 1.0])
                  %6 : f32[B, 3, 3] = aten::batch_norm(%5, None, None, %m3, %v3)
                  %7 : f32[B, 2] = aten::linear(%x, %w, None)
                  %8 : f32[B, 2] = aten::batch_norm(%7, None, None, %mean, %v)
                  %9 : f32[B, 4] = aten::dropout(%x, train=true)
                  return (%1, %4, %6, %8)
                """, new FoldBatchNorm(), new RemoveEvalDropout());
    }

    @Test
    void freezingChecksTheGivenValues() {
        Graph g = IrParser.parse(CONV_BN);
        Map<String, Tensor> p = convBnParams();
        p.put("conv.bias", Tensor.of(new float[] {1, 2}, 2));
        PassException e = assertThrows(PassException.class, () -> PassManager.pipeline("f")
                .add(FreezeParameters.of(p)).build().run(g));
        assertTrue(e.getMessage().contains("parameter 'conv.bias' is declared f32[3] but the given value is f32[2]"),
                e.getMessage());
        p.remove("conv.bias");
        Graph g2 = IrParser.parse(CONV_BN);
        e = assertThrows(PassException.class, () -> PassManager.pipeline("f").add(FreezeParameters.of(p)).build()
                .run(g2));
        assertTrue(e.getMessage().contains("no value given for parameter 'conv.bias'"), e.getMessage());
        assertEquals(List.of(), e.before());
    }
}
