package dev.kiln.passes.cleanup;

import static dev.kiln.passes.PassTesting.expect;
import static dev.kiln.passes.PassTesting.unchanged;

import org.junit.jupiter.api.Test;

class DeadCodeEliminationTest {
    @Test
    void removesADeadChainAndItsConstants() {
        expect("""
                graph(%x : f32[4]):
                  %1 : f32[4] = aten::exp(%x)
                  %2 : f64[]{wrapped} = const(2.0)
                  %3 : f32[4] = aten::mul(%1, %2)
                  %4 : f32[4] = aten::relu(%x)
                  return (%4)
                """, """
                graph(%x : f32[4]):
                  %4 : f32[4] = aten::relu(%x)
                  return (%4)
                """, new DeadCodeElimination());
    }

    @Test
    void removesDeadCodeInsideBlocksButKeepsTheBlockNode() {
        expect("""
                graph(%p : bool[], %x : f32[4]):
                  %y : f32[4] = kiln::cond(%p, %x)
                    block(%a : f32[4]):
                      %1 : f32[4] = aten::exp(%a)
                      return (%a)
                    block(%b : f32[4]):
                      %2 : f32[4] = aten::neg(%b)
                      return (%2)
                  return (%y)
                """, """
                graph(%p : bool[], %x : f32[4]):
                  %y : f32[4] = kiln::cond(%p, %x)
                    block(%a : f32[4]):
                      return (%a)
                    block(%b : f32[4]):
                      %2 : f32[4] = aten::neg(%b)
                      return (%2)
                  return (%y)
                """, new DeadCodeElimination());
    }

    @Test
    void keepsGuardsRandomOpsAndBlocksHoldingThem() {
        unchanged("""
                graph(%x : f32[4], %p : bool[]):
                  %1 : f32[] = aten::sum(%x)
                  %2 : f64[]{wrapped} = const(0.0)
                  %3 : bool[] = aten::gt(%1, %2)
                  kiln::guard(%3, expected=true)
                  %4 : f32[4] = aten::rand(size=[4], seed=7)
                  %5 : f32[4] = aten::dropout(%x, train=true, seed=3)
                  %6 : f32[4] = kiln::cond(%p, %x)
                    block(%a : f32[4]):
                      %7 : f32[4] = aten::randn(size=[4])
                      return (%a)
                    block(%b : f32[4]):
                      return (%b)
                  return (%x)
                """, new DeadCodeElimination());
    }

    @Test
    void dropsUnusedConstantTableEntries() {
        dev.kiln.ir.graph.Graph g = dev.kiln.ir.text.IrParser.parse("""
                graph(%x : f32[4]):
                  %w : f32[4] = const(@w)
                  %1 : f32[4] = aten::add(%x, %w)
                  return (%x)
                """, java.util.Map.of("w", dev.kiln.ir.graph.TensorData.of(dev.kiln.ir.DType.FLOAT32, new long[] {4},
                new float[] {1, 2, 3, 4}), "unused", dev.kiln.ir.graph.TensorData.scalar(1.0)));
        dev.kiln.passes.PipelineReport r = dev.kiln.passes.PassManager.pipeline("p").add(new DeadCodeElimination())
                .verify(true).build().run(g);
        org.junit.jupiter.api.Assertions.assertEquals(2, r.count("dce", "removed"));
        org.junit.jupiter.api.Assertions.assertEquals(2, r.count("dce", "constants-dropped"));
        org.junit.jupiter.api.Assertions.assertTrue(g.constants().isEmpty());
    }
}
