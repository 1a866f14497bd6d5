package dev.kiln.passes.fusion;

import static dev.kiln.passes.PassTesting.expect;
import static dev.kiln.passes.PassTesting.unchanged;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.eager.Tensor;
import dev.kiln.eager.interp.Interpreter;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.text.IrParser;
import dev.kiln.passes.PassManager;
import dev.kiln.passes.PipelineReport;
import dev.kiln.passes.cleanup.DeadCodeElimination;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FusionTest {
    static final String CHAIN = """
            graph(%x : f32[B, 8], %b : f32[8]):
              %0 : f64[]{wrapped} = const(1.5)
              %1 : f32[B, 8] = aten::mul(%x, %0)
              %2 : f32[B, 8] = aten::add(%1, %b)
              %3 : f32[B, 8] = aten::sigmoid(%2)
              %4 : f32[B, 8] = aten::tanh(%x)
              %5 : f32[B, 8] = aten::mul(%3, %4)
              return (%5)
            """;

    @Test
    void anElementwiseChainWithBroadcastAndScalarsIsOneGroup() {
        PipelineReport r = expect(CHAIN, """
                graph(%x : f32[B, 8], %b : f32[8]):
                  %5 : f32[B, 8] = kiln::fused(%x, %b)
                    block(%6 : f32[B, 8], %7 : f32[8]):
                      %8 : f64[]{wrapped} = const(1.5)
                      %9 : f32[B, 8] = aten::mul(%6, %8)
                      %10 : f32[B, 8] = aten::add(%9, %7)
                      %11 : f32[B, 8] = aten::sigmoid(%10)
                      %12 : f32[B, 8] = aten::tanh(%6)
                      %13 : f32[B, 8] = aten::mul(%11, %12)
                      return (%13)
                  return (%5)
                """, new FuseLoops(), new DeadCodeElimination());
        assertEquals(5, r.count("fuse-loops", "nodes"));
        sameResults(CHAIN, new FuseLoops());
    }

    static final String SOFTMAX = """
            graph(%x : f32[B, 4, 6], %m : bool[6]):
              %0 : f64[]{wrapped} = const(0.25)
              %1 : f32[B, 4, 6] = aten::mul(%x, %0)
              %2 : f64[]{wrapped} = const(-Infinity)
              %3 : f32[B, 4, 6] = aten::masked_fill(%1, %m, %2)
              %4 : f32[B, 4, 6] = aten::softmax(%3, dim=-1)
              %5 : f32[B, 4, 6] = aten::relu(%4)
              %6 : f32[B, 4] = aten::sum(%5, dim=[2])
              return (%6, %4)
            """;

    @Test
    void aReductionSitsInsideAGroupWithAPrologueAndEpilogue() {
        expect(SOFTMAX, """
                graph(%x : f32[B, 4, 6], %m : bool[6]):
                  %4 : f32[B, 4, 6] = kiln::fused(%x, %m)
                    block(%10 : f32[B, 4, 6], %11 : bool[6]):
                      %12 : f64[]{wrapped} = const(0.25)
                      %13 : f32[B, 4, 6] = aten::mul(%10, %12)
                      %14 : f64[]{wrapped} = const(-Infinity)
                      %15 : f32[B, 4, 6] = aten::masked_fill(%13, %11, %14)
                      %16 : f32[B, 4, 6] = aten::softmax(%15, dim=-1)
                      return (%16)
                  %6 : f32[B, 4] = kiln::fused(%4)
                    block(%7 : f32[B, 4, 6]):
                      %8 : f32[B, 4, 6] = aten::relu(%7)
                      %9 : f32[B, 4] = aten::sum(%8, dim=[2])
                      return (%9)
                  return (%6, %4)
                """, new FuseLoops(), new DeadCodeElimination());
        sameResults(SOFTMAX, new FuseLoops());
    }

    static final String LINEAR = """
            graph(%x : f32[B, 4], %r : f32[B, 3]):
              %w : f32[3, 4] = const([1.0, 2.0, 3.0, 4.0, -1.0, 0.5, 0.0, 2.0, 1.0, 1.0, 1.0, 1.0])
              %b : f32[3] = const([0.5, -0.5, 0.0])
              %0 : f32[B, 3] = aten::linear(%x, %w, %b)   # fc
              %1 : f32[B, 3] = aten::add(%0, %r)
              %2 : f32[B, 3] = aten::gelu(%1)
              %3 : f32[B, 3] = aten::exp(%2)
              %4 : f32[B, 3] = aten::neg(%2)
              return (%3, %4)
            """;

    @Test
    void biasAndActivationEpiloguesFuseIntoTheLinear() {
        PipelineReport r = expect(LINEAR, """
                graph(%x : f32[B, 4], %r : f32[B, 3]):
                  %w : f32[3, 4] = const([1.0, 2.0, 3.0, 4.0, -1.0, 0.5, 0.0, 2.0, 1.0, 1.0, 1.0, 1.0])
                  %b : f32[3] = const([0.5, -0.5, 0.0])
                  %2 : f32[B, 3] = kiln::fused_epilogue(%x, %r)
                    block(%5 : f32[B, 4], %6 : f32[B, 3]):
                      %7 : f32[3, 4] = const([1.0, 2.0, 3.0, 4.0, -1.0, 0.5, 0.0, 2.0, 1.0, 1.0, 1.0, 1.0])
                      %8 : f32[3] = const([0.5, -0.5, 0.0])
                      %9 : f32[B, 3] = aten::linear(%5, %7, %8)   # fc
                      %10 : f32[B, 3] = aten::add(%9, %6)
                      %11 : f32[B, 3] = aten::gelu(%10)
                      return (%11)
                  %3 : f32[B, 3] = aten::exp(%2)
                  %4 : f32[B, 3] = aten::neg(%2)
                  return (%3, %4)
                """, new FuseEpilogues());
        assertEquals(3, r.count("fuse-epilogue", "nodes"));
        sameResults(LINEAR, new FuseEpilogues(), new FuseLoops(), new DeadCodeElimination());
    }

    @Test
    void randomOpsLoneOpsSmallerShapesAndSecondReductionsStayOut() {
        unchanged("""
                graph(%x : f32[B, 8], %y : f32[8]):
                  %1 : f32[B, 8] = aten::dropout(%x, train=true)
                  %2 : f32[B, 8] = aten::relu(%1)
                  %3 : f32[8] = aten::exp(%y)
                  %4 : f32[B, 8] = aten::add(%x, %3)
                  %5 : f32[B, 8] = aten::softmax(%x, dim=1)
                  %6 : f32[B, 8] = aten::log_softmax(%5, dim=1)
                  %7 : f32[B] = aten::max(%x)
                  return (%2, %4, %6)
                """.replace("  %7 : f32[B] = aten::max(%x)\n", ""), new FuseLoops());
    }

    @Test
    void aProducerUsedOutsideBeforeTheRootStaysOut() {
        expect("""
                graph(%x : f32[8, 8]):
                  %1 : f32[8, 8] = aten::abs(%x)
                  %2 : f32[8, 8] = aten::mm(%1, %1)
                  %3 : f32[8, 8] = aten::exp(%1)
                  %4 : f32[8, 8] = aten::add(%3, %2)
                  return (%4)
                """, """
                graph(%x : f32[8, 8]):
                  %1 : f32[8, 8] = aten::abs(%x)
                  %2 : f32[8, 8] = aten::mm(%1, %1)
                  %4 : f32[8, 8] = kiln::fused(%1, %2)
                    block(%0 : f32[8, 8], %5 : f32[8, 8]):
                      %6 : f32[8, 8] = aten::exp(%0)
                      %7 : f32[8, 8] = aten::add(%6, %5)
                      return (%7)
                  return (%4)
                """, new FuseLoops());
    }

    @Test
    void aProducerUsedAfterTheRootBecomesASecondOutput() {
        String in = """
                graph(%x : f32[B, 8]):
                  %5 : f32[B, 8] = aten::abs(%x)
                  %6 : f32[B, 8] = aten::softmax(%5, dim=1)
                  %7 : f32[B, 8] = aten::add(%6, %5)
                  %8 : f32[B, 8] = aten::exp(%5)
                  return (%7, %8)
                """;
        expect(in, """
                graph(%x : f32[B, 8]):
                  %5, %7 : f32[B, 8], f32[B, 8] = kiln::fused(%x)
                    block(%0 : f32[B, 8]):
                      %1 : f32[B, 8] = aten::abs(%0)
                      %2 : f32[B, 8] = aten::softmax(%1, dim=1)
                      %3 : f32[B, 8] = aten::add(%2, %1)
                      return (%1, %3)
                  %8 : f32[B, 8] = aten::exp(%5)
                  return (%7, %8)
                """, new FuseLoops());
        sameResults(in, new FuseLoops());
    }

    private static void sameResults(String text, dev.kiln.passes.Pass... passes) {
        Graph g = IrParser.parse(text);
        Tensor[] in = inputs(g);
        var before = new Interpreter(g, Map.of()).run(in);
        PassManager.pipeline("p").add(passes).verify(true).build().run(g);
        var after = new Interpreter(g, Map.of()).run(in);
        for (int o = 0; o < before.size(); o++) {
            assertEquals(java.util.Arrays.toString(before.get(o).toFloatArray()),
                    java.util.Arrays.toString(after.get(o).toFloatArray()), "output " + o);
        }
    }

    /** Deterministic inputs for a graph whose only symbol is B, bound to 2. */
    static Tensor[] inputs(Graph g) {
        Tensor[] in = new Tensor[g.inputs().size()];
        for (int i = 0; i < in.length; i++) {
            var t = (dev.kiln.ir.type.TensorType) g.inputs().get(i).type();
            long[] shape = t.shape().eval(Map.of("B", 2L));
            int n = (int) java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b);
            if (t.dtype() == dev.kiln.ir.DType.BOOL) {
                boolean[] a = new boolean[n];
                for (int k = 0; k < n; k++) a[k] = k % 3 == 1;
                in[i] = Tensor.ofBools(a, shape);
            } else {
                float[] a = new float[n];
                for (int k = 0; k < n; k++) a[k] = (float) Math.sin(k * 0.7 + i);
                in[i] = Tensor.of(a, shape);
            }
        }
        return in;
    }
}
