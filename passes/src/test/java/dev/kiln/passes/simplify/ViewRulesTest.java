package dev.kiln.passes.simplify;

import static dev.kiln.passes.PassTesting.expect;
import static dev.kiln.passes.PassTesting.unchanged;

import dev.kiln.passes.cleanup.DeadCodeElimination;
import org.junit.jupiter.api.Test;

class ViewRulesTest {
    @Test
    void noOpViewsAndInverseTransposesVanish() {
        expect("""
                graph(%x : f32[B, 4, 8]):
                  %1 : f32[B, 4, 8] = aten::view(%x, size=[B, 4, 8])
                  %2 : f32[B, 4, 8] = aten::reshape(%1, shape=[B, -1, 8])
                  %3 : f32[B, 8, 4] = aten::transpose(%2, dim0=1, dim1=2)
                  %4 : f32[B, 4, 8] = aten::transpose(%3, dim0=-1, dim1=-2)
                  %5 : f32[4, 8, B] = aten::permute(%4, dims=[1, 2, 0])
                  %6 : f32[B, 4, 8] = aten::permute(%5, dims=[2, 0, 1])
                  %7 : f32[B, 4, 8] = aten::transpose(%6, dim0=1, dim1=1)
                  %8 : f32[B, 4, 8] = aten::permute(%7, dims=[0, 1, 2])
                  %9 : f32[B, 4, 8] = aten::expand(%8, size=[B, 4, 8])
                  %10 : f32[B, 4, 8] = aten::slice(%9, dim=1, start=0, end=4)
                  %11 : f32[B, 4, 8] = aten::squeeze(%10, dim=2)
                  return (%11)
                """, """
                graph(%x : f32[B, 4, 8]):
                  return (%x)
                """, new AlgebraicSimplification(), new DeadCodeElimination());
    }

    @Test
    void reshapeChainsCollapseToOneReshape() {
        expect("""
                graph(%x : f32[B, 16, 4, 4]):
                  %1 : f32[B, 256] = aten::flatten(%x, start_dim=1)
                  %2 : f32[B, 256, 1] = aten::unsqueeze(%1, dim=2)
                  %3 : f32[B, 16, 16] = aten::view(%2, size=[B, 16, 16])
                  %4 : f32[B, 16, 16] = aten::relu(%3)
                  %5 : f32[B, 256] = aten::reshape(%4, shape=[B, 256])
                  %6 : f32[B, 16, 16] = aten::reshape(%5, shape=[B, 16, 16])
                  return (%6)
                """, """
                graph(%x : f32[B, 16, 4, 4]):
                  %2 : f32[B, 16, 16] = aten::reshape(%x, shape=[B, 16, 16])
                  %4 : f32[B, 16, 16] = aten::relu(%2)
                  return (%4)
                """, new AlgebraicSimplification(), new DeadCodeElimination());
    }

    @Test
    void typePreservingButElementMovingViewsStay() {
        unchanged("""
                graph(%x : f32[4, 4], %y : f32[2, 3, 4]):
                  %1 : f32[4, 4] = aten::transpose(%x, dim0=0, dim1=1)
                  %2 : f32[4, 4] = aten::permute(%1, dims=[1, 0])
                  %3 : f32[3, 2, 4] = aten::transpose(%y, dim0=0, dim1=1)
                  %4 : f32[4, 2, 3] = aten::transpose(%3, dim0=0, dim1=2)
                  %5 : f32[4, 2, 3] = aten::permute(%y, dims=[2, 0, 1])
                  %6 : f32[3, 4, 2] = aten::permute(%5, dims=[2, 0, 1])
                  %7 : f32[2, 4] = aten::select(%y, dim=1, index=0)
                  %8 : f32[1, 3, 4] = aten::slice(%y, dim=0, start=1)
                  return (%2, %4, %6, %7, %8)
                """, new AlgebraicSimplification());
    }
}
