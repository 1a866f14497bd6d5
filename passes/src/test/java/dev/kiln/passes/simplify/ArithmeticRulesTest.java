package dev.kiln.passes.simplify;

import static dev.kiln.passes.PassTesting.expect;
import static dev.kiln.passes.PassTesting.unchanged;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.kiln.passes.PipelineReport;
import dev.kiln.passes.cleanup.DeadCodeElimination;
import org.junit.jupiter.api.Test;

class ArithmeticRulesTest {
    @Test
    void exactIdentitiesAreRemoved() {
        PipelineReport r = expect("""
                graph(%x : f32[4], %i : i64[4], %b : bool[4]):
                  %one : f64[]{wrapped} = const(1.0)
                  %1 : f32[4] = aten::mul(%x, %one)
                  %2 : f32[4] = aten::mul(%one, %1)
                  %3 : f32[4] = aten::div(%2, %one)
                  %4 : f32[4] = aten::pow(%3, %one)
                  %nz : f64[]{wrapped} = const(-0.0)
                  %5 : f32[4] = aten::add(%4, %nz)
                  %pz : f64[]{wrapped} = const(0.0)
                  %6 : f32[4] = aten::sub(%5, %pz)
                  %7 : f32[4] = aten::neg(%6)
                  %8 : f32[4] = aten::neg(%7)
                  %9 : f32[4] = aten::relu(%8)
                  %10 : f32[4] = aten::relu(%9)
                  %11 : f32[4] = aten::to(%10, dtype=f32)
                  %12 : f32[4] = aten::clone(%11)
                  %izero : i64[]{wrapped} = const(0)
                  %13 : i64[4] = aten::add(%i, %izero)
                  %14 : i64[4] = aten::sub(%13, %izero)
                  %15 : bool[4] = aten::logical_not(%b)
                  %16 : bool[4] = aten::logical_not(%15)
                  return (%12, %14, %16)
                """, """
                graph(%x : f32[4], %i : i64[4], %b : bool[4]):
                  %9 : f32[4] = aten::relu(%x)
                  return (%9, %i, %b)
                """, new AlgebraicSimplification(), new DeadCodeElimination());
        assertEquals(2, r.count("simplify", "rule.mul-one"));
        assertEquals(1, r.count("simplify", "rule.relu-idempotent"));
    }

    @Test
    void nanAndSignedZeroUnsafeRewritesAreNotApplied() {
        PipelineReport r = unchangedReport("""
                graph(%x : f32[4]):
                  %zero : f64[]{wrapped} = const(0.0)
                  %1 : f32[4] = aten::mul(%x, %zero)
                  %2 : f32[4] = aten::sub(%x, %x)
                  %3 : f32[4] = aten::add(%x, %zero)
                  %nz : f64[]{wrapped} = const(-0.0)
                  %4 : f32[4] = aten::sub(%x, %nz)
                  %izero : i64[]{wrapped} = const(0)
                  %5 : f32[4] = aten::add(%x, %izero)
                  %6 : f32[4] = aten::div(%x, %x)
                  return (%1, %2, %3, %4, %5, %6)
                """);
        assertFalse(r.changed());
    }

    @Test
    void broadcastingPromotionAndRoundingModesBlockTheIdentities() {
        unchanged("""
                graph(%x : f32[4], %i : i64[4], %s : f32[]):
                  %ones : f32[3, 4] = const([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0])
                  %1 : f32[3, 4] = aten::mul(%x, %ones)
                  %one : f64[]{wrapped} = const(1.0)
                  %2 : f32[4] = aten::mul(%i, %one)
                  %3 : f32[4] = aten::div(%x, %one, rounding_mode="floor")
                  %4 : f32[4] = aten::div(%i, %one)
                  %five : f64[4] = const([1.0, 1.0, 1.0, 1.0])
                  %5 : f64[4] = aten::mul(%s, %five)
                  %6 : f32[4] = aten::add(%x, %one, alpha=0)
                  %7 : f64[4] = aten::to(%x, dtype=f64)
                  return (%1, %2, %3, %4, %5, %6, %7)
                """, new AlgebraicSimplification());
    }

    private static PipelineReport unchangedReport(String g) {
        return expect(g, dev.kiln.ir.text.IrPrinter.print(dev.kiln.ir.text.IrParser.parse(g)),
                new AlgebraicSimplification());
    }
}
