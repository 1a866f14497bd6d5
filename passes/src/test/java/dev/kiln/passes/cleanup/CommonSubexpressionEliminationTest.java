package dev.kiln.passes.cleanup;

import static dev.kiln.passes.PassTesting.expect;
import static dev.kiln.passes.PassTesting.unchanged;

import org.junit.jupiter.api.Test;

class CommonSubexpressionEliminationTest {
    @Test
    void mergesEqualNodesConstantsAndCommutedOperands() {
        expect("""
                graph(%x : f32[4], %y : f32[4]):
                  %1 : f32[4] = aten::mul(%x, %y)
                  %2 : f32[4] = aten::mul(%y, %x)
                  %3 : f64[]{wrapped} = const(0.5)
                  %4 : f64[]{wrapped} = const(0.5)
                  %5 : f32[4] = aten::add(%1, %3)
                  %6 : f32[4] = aten::add(%2, %4)
                  %7 : f32[4] = aten::sub(%5, %6)
                  return (%7)
                """, """
                graph(%x : f32[4], %y : f32[4]):
                  %1 : f32[4] = aten::mul(%x, %y)
                  %3 : f64[]{wrapped} = const(0.5)
                  %5 : f32[4] = aten::add(%1, %3)
                  %7 : f32[4] = aten::sub(%5, %5)
                  return (%7)
                """, new CommonSubexpressionElimination());
    }

    @Test
    void reusesAnOuterValueInsideABranch() {
        expect("""
                graph(%p : bool[], %x : f32[4]):
                  %1 : f32[4] = aten::exp(%x)
                  %y : f32[4] = kiln::cond(%p, %x)
                    block(%a : f32[4]):
                      %2 : f32[4] = aten::exp(%x)
                      return (%2)
                    block(%b : f32[4]):
                      return (%b)
                  %3 : f32[4] = aten::add(%1, %y)
                  return (%3)
                """, """
                graph(%p : bool[], %x : f32[4]):
                  %1 : f32[4] = aten::exp(%x)
                  %y : f32[4] = kiln::cond(%p, %x)
                    block(%a : f32[4]):
                      return (%1)
                    block(%b : f32[4]):
                      return (%b)
                  %3 : f32[4] = aten::add(%1, %y)
                  return (%3)
                """, new CommonSubexpressionElimination());
    }

    @Test
    void neverMergesRandomOpsGuardsDifferentAttributesOrAsymmetricAdds() {
        unchanged("""
                graph(%x : f32[4], %y : f32[4]):
                  %1 : f32[4] = aten::rand(size=[4])
                  %2 : f32[4] = aten::rand(size=[4])
                  %3 : f32[4] = aten::dropout(%x, train=true)
                  %4 : f32[4] = aten::dropout(%x, train=true)
                  %5 : f32[4] = aten::add(%x, %y, alpha=2)
                  %6 : f32[4] = aten::add(%y, %x, alpha=2)
                  %7 : f32[4] = aten::leaky_relu(%x)
                  %8 : f32[4] = aten::leaky_relu(%x, negative_slope=0.2)
                  %9 : f32[4] = aten::sub(%x, %y)
                  %10 : f32[4] = aten::sub(%y, %x)
                  %11 : f32[] = aten::sum(%x)
                  kiln::guard(%11, expected=1.0)
                  kiln::guard(%11, expected=1.0)
                  return (%1, %2, %3, %4, %5, %6, %7, %8, %9, %10)
                """, new CommonSubexpressionElimination());
    }

    @Test
    void aFusionGroupStaysClosed() {
        unchanged("""
                graph(%x : f32[4]):
                  %1 : f32[4] = aten::exp(%x)
                  %y : f32[4] = kiln::fused(%x)
                    block(%p : f32[4]):
                      %2 : f32[4] = aten::exp(%p)
                      %3 : f32[4] = aten::relu(%2)
                      return (%3)
                  %4 : f32[4] = aten::add(%1, %y)
                  return (%4)
                """, new CommonSubexpressionElimination());
    }
}
