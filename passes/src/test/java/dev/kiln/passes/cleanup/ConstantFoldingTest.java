package dev.kiln.passes.cleanup;

import static dev.kiln.passes.PassTesting.expect;
import static dev.kiln.passes.PassTesting.unchanged;

import org.junit.jupiter.api.Test;

class ConstantFoldingTest {
    @Test
    void foldsAndPropagatesThroughAChain() {
        expect("""
                graph(%x : f32[3]):
                  %1 : f32[3] = const([1.0, 2.0, 3.0])
                  %2 : f64[]{wrapped} = const(2.0)
                  %3 : f32[3] = aten::mul(%1, %2)
                  %4 : f32[3] = aten::neg(%3)
                  %5 : f32[3] = aten::add(%x, %4)
                  return (%5)
                """, """
                graph(%x : f32[3]):
                  %4 : f32[3] = const([-2.0, -4.0, -6.0])
                  %5 : f32[3] = aten::add(%x, %4)
                  return (%5)
                """, new ConstantFolding(), new DeadCodeElimination());
    }

    @Test
    void foldsStaticFactoriesAndMultiOutputOps() {
        expect("""
                graph(%x : f32[3, 3]):
                  %1 : bool[3, 3] = aten::ones(size=[3, 3], dtype=bool)
                  %2 : bool[3, 3] = aten::triu(%1, diagonal=1)
                  %3 : f64[]{wrapped} = const(-Infinity)
                  %4 : f32[3, 3] = aten::masked_fill(%x, %2, %3)
                  %5 : f32[4] = const([4.0, 1.0, 3.0, 2.0])
                  %6, %7 : f32[], i64[] = aten::max.dim(%5, dim=0)
                  %8 : f32[3, 3] = aten::mul(%4, %6)
                  return (%8, %7)
                """, """
                graph(%x : f32[3, 3]):
                  %2 : bool[3, 3] = const([false, true, true, false, false, true, false, false, false])
                  %3 : f64[]{wrapped} = const(-Infinity)
                  %4 : f32[3, 3] = aten::masked_fill(%x, %2, %3)
                  %6 : f32[] = const(4.0)
                  %7 : i64[] = const(0)
                  %8 : f32[3, 3] = aten::mul(%4, %6)
                  return (%8, %7)
                """, new ConstantFolding(), new DeadCodeElimination());
    }

    @Test
    void aGuardOnAMatchingConstantIsProven() {
        expect("""
                graph(%x : f32[3]):
                  %1 : f32[3] = const([1.0, 2.0, 3.0])
                  %2 : f32[] = aten::sum(%1)
                  %3 : f64[]{wrapped} = const(0.0)
                  %4 : bool[] = aten::gt(%2, %3)
                  kiln::guard(%4, expected=true)
                  return (%x)
                """, """
                graph(%x : f32[3]):
                  return (%x)
                """, new ConstantFolding(), new DeadCodeElimination());
    }

    @Test
    void leavesRandomSymbolicLargeAndNonConstantWorkAlone() {
        String g = """
                graph(%x : f32[B, 3]):
                  %1 : f32[3] = aten::rand(size=[3], seed=1)
                  %2 : f32[3] = aten::dropout(%1, p=0.1, train=true, seed=2)
                  %3 : f32[B, 3] = aten::zeros(size=[B, 3])
                  %4 : f32[64, 64] = aten::ones(size=[64, 64])
                  %5 : f32[B, 3] = aten::exp(%x)
                  %6 : bool[] = const(false)
                  kiln::guard(%6, expected=true)
                  return (%2, %3, %4, %5)
                """;
        unchanged(g, new ConstantFolding(1000));
    }
}
