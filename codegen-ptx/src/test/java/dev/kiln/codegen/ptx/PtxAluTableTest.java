package dev.kiln.codegen.ptx;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.codegen.ptx.alu.PtxAluTable;
import dev.kiln.codegen.ptx.alu.ScalarOp;
import dev.kiln.codegen.ptx.asm.PtxBuilder;
import dev.kiln.codegen.ptx.asm.PtxTarget;
import dev.kiln.codegen.ptx.kernels.ScalarExpr;
import org.junit.jupiter.api.Test;

class PtxAluTableTest {

    @Test
    void everyScalarOpHasALowering() {
        for (ScalarOp op : ScalarOp.values()) assertTrue(PtxAluTable.covers(op), "no PTX lowering for " + op);
    }

    @Test
    void arithmeticIsRoundedPerOpAndNanPropagating() {
        PtxBuilder b = new PtxBuilder(PtxTarget.SM80, "k");
        var x = b.f32();
        var y = b.f32();
        PtxAluTable.emit(b, ScalarOp.ADD, x, y);
        PtxAluTable.emit(b, ScalarOp.MUL, x, y);
        PtxAluTable.emit(b, ScalarOp.MAX, x, y);
        PtxAluTable.emit(b, ScalarOp.NE, x, y);
        String ptx = b.build();
        // .rn forbids contraction into fma; .NaN propagates NaN like torch.maximum; neu makes NaN != x true.
        assertTrue(ptx.contains("add.rn.f32") && ptx.contains("mul.rn.f32"), ptx);
        assertTrue(ptx.contains("max.NaN.f32") && ptx.contains("set.neu.f32.f32"), ptx);
    }

    @Test
    void arityIsChecked() {
        PtxBuilder b = new PtxBuilder(PtxTarget.SM80, "k");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PtxAluTable.emit(b, ScalarOp.ADD, b.f32()));
        assertTrue(e.getMessage().contains("ADD") && e.getMessage().contains("expected 2") && e.getMessage().contains("found 1"));
        assertThrows(IllegalArgumentException.class, () -> ScalarExpr.apply(ScalarOp.WHERE, ScalarExpr.input(0)));
    }
}
