package dev.kiln.eager.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.DType;
import dev.kiln.ir.Op;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The user-visible autograd semantics, PyTorch's: leaves, accumulation, retain_grad, detach, no-grad, errors. */
class AutogradTest {
    private static Tensor leaf(double... v) { return Tensor.of(v).requiresGrad(true); }

    private static double[] values(Tensor t) { return t.toDoubleArray(); }

    @Test
    void scalarBackwardFillsLeafGradients() {
        Tensor a = leaf(1, 2, 3);
        Tensor b = leaf(4, 5, 6);
        Tensor loss = a.mul(b).add(a).sum();           // d/da = b + 1, d/db = a
        loss.backward();
        assertArrayEquals(new double[] {5, 6, 7}, values(a.grad()));
        assertArrayEquals(new double[] {1, 2, 3}, values(b.grad()));
    }

    @Test
    void gradientsAccumulateAcrossPassesAndUses() {
        Tensor a = leaf(1, -2);
        a.mul(a).sum().backward();                       // 2a
        assertArrayEquals(new double[] {2, -4}, values(a.grad()));
        a.mul(3).sum().backward();                       // + 3
        assertArrayEquals(new double[] {5, -1}, values(a.grad()));
    }

    @Test
    void explicitGradientForNonScalarOutputs() {
        Tensor a = leaf(1, 2, 3);
        Tensor y = a.mul(a);
        y.backward(Tensor.of(new double[] {1, 0, -1}));
        assertArrayEquals(new double[] {2, 0, -6}, values(a.grad()));
        KilnException e = assertThrows(KilnException.class, () -> a.mul(2).backward());
        assertTrue(e.getMessage().contains("one-element"), e.getMessage());
        KilnException shape = assertThrows(KilnException.class, () -> a.mul(2).backward(Tensor.of(new double[] {1})));
        assertTrue(shape.getMessage().contains("'gradient'") && shape.getMessage().contains("[3]"), shape.getMessage());
    }

    @Test
    void onlyLeavesKeepGradientsUnlessRetained() {
        Tensor a = leaf(1, 2);
        Tensor h = a.mul(2);
        Tensor kept = a.mul(3).retainGrad();
        h.add(kept).sum().backward();
        assertFalse(h.isLeaf());
        assertNull(h.grad());
        assertArrayEquals(new double[] {1, 1}, values(kept.grad()));
        assertArrayEquals(new double[] {5, 5}, values(a.grad()));
        assertEquals("aten::mul", h.autogradMeta().gradFnName());
    }

    @Test
    void tensorsThatNeedNoGradientCarryNoAutogradState() {
        Tensor c = Tensor.of(new double[] {1, 2});
        Tensor r = c.mul(c).add(1);
        assertNull(r.autogradMeta());
        assertFalse(r.requiresGrad());
        assertTrue(r.isLeaf());
        Tensor a = leaf(1, 2);
        assertTrue(a.mul(c).requiresGrad());
        assertFalse(a.gt(c).requiresGrad(), "comparisons are not differentiable");
        assertFalse(a.max(0, false).indices().requiresGrad(), "indices are integers");
        assertTrue(a.max(0, false).values().requiresGrad());
    }

    @Test
    void noGradScopeStopsRecordingAndNests() {
        Tensor a = leaf(1, 2);
        try (GradMode.Scope outer = GradMode.noGrad()) {
            assertFalse(a.mul(2).requiresGrad());
            try (GradMode.Scope inner = GradMode.enableGrad()) {
                assertTrue(a.mul(2).requiresGrad());
            }
            assertFalse(GradMode.isEnabled());
        }
        assertTrue(GradMode.isEnabled());
        assertTrue(a.mul(2).requiresGrad());
    }

    @Test
    void detachSharesStorageButLeavesTheGraph() {
        Tensor a = leaf(1, 2);
        Tensor d = a.mul(2).detach();
        assertFalse(d.requiresGrad());
        assertTrue(d.isLeaf());
        Tensor y = a.mul(d).sum();                       // d is a constant: dy/da = d
        y.backward();
        assertArrayEquals(new double[] {2, 4}, values(a.grad()));
        Tensor e = a.detach();
        assertSame(a.storage(), e.storage());
    }

    @Test
    void gradientsFlowThroughViewsToTheirBase() {
        Tensor base = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3).requiresGrad(true);
        Tensor v = base.transpose(0, 1).select(0, 1);    // base[:, 1]
        v.mul(v).sum().backward();
        assertArrayEquals(new double[] {0, 4, 0, 0, 10, 0}, values(base.grad()));
    }

    @Test
    void gradientIsConvertedToTheInputDtype() {
        Tensor a = Tensor.of(new float[] {1, 2}).requiresGrad(true);
        Tensor b = Tensor.of(new double[] {3, 4});
        Tensor y = a.mul(b).sum();                       // float64 result
        assertEquals(DType.FLOAT64, y.dtype());
        y.backward();
        assertEquals(DType.FLOAT32, a.grad().dtype());
        assertArrayEquals(new double[] {3, 4}, values(a.grad()));
    }

    @Test
    void unusedOutputsOfMultiOutputOpsGetZeroGradient() {
        Tensor a = Tensor.of(new double[] {1, 2, 3, 4, 5}).requiresGrad(true);
        a.split(2, 0).get(1).sum().backward();
        assertArrayEquals(new double[] {0, 0, 1, 1, 0}, values(a.grad()));
    }

    @Test
    void secondBackwardThroughAFreedGraphFails() {
        Tensor a = leaf(1, 2);
        Tensor y = a.mul(a).sum();
        y.backward();
        KilnException e = assertThrows(KilnException.class, y::backward);
        assertTrue(e.getMessage().contains("second time") && e.getMessage().contains("aten::"), e.getMessage());
        Tensor z = a.mul(a).sum();
        Engine.backward(z, null, true);
        Engine.backward(z, null, true);                  // retained: allowed
        assertArrayEquals(new double[] {2 + 4, 4 + 8}, values(a.grad()));
    }

    @Test
    void requiresGradRules() {
        KilnException ints = assertThrows(KilnException.class, () -> Tensor.ofInts(new int[] {1}).requiresGrad(true));
        assertTrue(ints.getMessage().contains("floating") && ints.getMessage().contains("int32"), ints.getMessage());
        Tensor a = leaf(1);
        KilnException nonLeaf = assertThrows(KilnException.class, () -> a.mul(2).requiresGrad(false));
        assertTrue(nonLeaf.getMessage().contains("leaf") && nonLeaf.getMessage().contains("aten::mul"),
                nonLeaf.getMessage());
        KilnException none = assertThrows(KilnException.class, () -> Tensor.of(new double[] {1}).sum().backward());
        assertTrue(none.getMessage().contains("requires grad"), none.getMessage());
        a.requiresGrad(false);
        assertFalse(a.mul(2).requiresGrad());
    }

    @Test
    void leafBackwardAccumulatesIntoItself() {
        Tensor a = Tensor.of(new double[] {3}).requiresGrad(true);
        a.backward();
        assertArrayEquals(new double[] {1}, values(a.grad()));
    }

    @Test
    void storedGradientNeverAliasesTheCallersTensor() {
        Tensor a = leaf(1, 2);
        Tensor g = Tensor.of(new double[] {1, 1});
        a.copy().backward(g);                            // clone passes g through unchanged
        g.storage().setDouble(0, 100);
        assertArrayEquals(new double[] {1, 1}, values(a.grad()));
    }

    @Test
    void everyOpHasAFormulaOrIsListedAsNotDifferentiable() {
        Set<Op> formulas = GradientRegistry.table().keySet();
        Set<Op> none = GradientRegistry.notDifferentiable().keySet();
        for (Op op : Op.values()) {
            assertTrue(formulas.contains(op) ^ none.contains(op), op + ": in neither or both tables");
        }
        Set<Op> expectedNone = EnumSet.of(Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE, Op.LOGICAL_AND, Op.LOGICAL_OR,
                Op.LOGICAL_NOT, Op.ARGMAX, Op.ARGMIN, Op.ZEROS, Op.ONES, Op.FULL, Op.ARANGE, Op.RAND, Op.RANDN);
        assertEquals(expectedNone, EnumSet.copyOf(none));
        KilnException e = assertThrows(KilnException.class, () -> GradientRegistry.formula(Op.ARGMAX));
        assertTrue(e.getMessage().contains("aten::argmax") && e.getMessage().contains("not differentiable"));
    }
}
