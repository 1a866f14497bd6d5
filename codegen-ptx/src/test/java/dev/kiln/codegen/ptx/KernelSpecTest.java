package dev.kiln.codegen.ptx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.codegen.ptx.alu.ScalarOp;
import dev.kiln.codegen.ptx.asm.PtxTarget;
import dev.kiln.codegen.ptx.kernels.ElementwiseKernelGenerator;
import dev.kiln.codegen.ptx.kernels.ElementwiseKernelSpec;
import dev.kiln.codegen.ptx.kernels.ElementwiseKernelSpec.Output;
import dev.kiln.codegen.ptx.kernels.GemmKernelGenerator;
import dev.kiln.codegen.ptx.kernels.GemmSpec;
import dev.kiln.codegen.ptx.kernels.RowReductionGenerator;
import dev.kiln.codegen.ptx.kernels.RowReductionSpec;
import dev.kiln.codegen.ptx.kernels.ScalarExpr;
import dev.kiln.codegen.ptx.kernels.Strides;
import dev.kiln.codegen.ptx.kernels.TensorOperand;
import dev.kiln.ir.DType;
import java.util.List;
import org.junit.jupiter.api.Test;

class KernelSpecTest {

    @Test
    void collapseMergesOnlyDimsEveryOperandCanMerge() {
        // [2, 3, 4]: operand 0 contiguous, operand 1 broadcast along dim 1 -> dims 1 and 2 cannot merge for it.
        Strides.Collapsed c = Strides.collapse(new long[] {2, 3, 4}, List.of(new long[] {12, 4, 1}, new long[] {4, 0, 1}));
        assertArrayEquals(new long[] {2, 3, 4}, c.shape());
        Strides.Collapsed d = Strides.collapse(new long[] {2, 1, 3, 4}, List.of(new long[] {12, 12, 4, 1}, new long[] {1, 5, 0, 0}));
        assertArrayEquals(new long[] {2, 12}, d.shape());
        assertArrayEquals(new long[] {12, 1}, d.strides().get(0));
        assertArrayEquals(new long[] {1, 0}, d.strides().get(1));
        Strides.Collapsed all = Strides.collapse(new long[] {2, 1, 3, 4}, List.of(new long[] {12, 12, 4, 1}, new long[] {0, 5, 0, 0}));
        assertArrayEquals(new long[] {24}, all.shape());
    }

    @Test
    void broadcastOperandFollowsRightAlignedRule() {
        TensorOperand t = TensorOperand.broadcast(DType.FLOAT32, new long[] {3, 1}, new long[] {5, 7}, 2, new long[] {4, 3, 8});
        assertArrayEquals(new long[] {0, 5, 0}, t.strides());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TensorOperand.broadcast(DType.FLOAT32, new long[] {5}, new long[] {1}, 0, new long[] {4, 3}));
        assertTrue(e.getMessage().contains("[5]") && e.getMessage().contains("[4, 3]"), e.getMessage());
    }

    @Test
    void elementwiseSpecRejectsBadCallsWithContext() {
        long[] shape = {4};
        TensorOperand x = TensorOperand.contiguous(DType.FLOAT32, shape);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ElementwiseKernelSpec("k", shape,
                List.of(x), List.of(new Output(ScalarExpr.input(1), DType.FLOAT32))));
        assertTrue(e.getMessage().contains("kernel k") && e.getMessage().contains("input 1") && e.getMessage().contains("1 inputs"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ElementwiseKernelSpec("k", shape,
                List.of(x), List.of(new Output(ScalarExpr.input(0), DType.INT64))));
        assertTrue(e.getMessage().contains("expected dtype f32 or bool, found i64"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ElementwiseKernelSpec("k", shape,
                List.of(new TensorOperand(DType.FLOAT32, new long[] {1, 1}, 0)), List.of(new Output(ScalarExpr.input(0), DType.FLOAT32))));
        assertTrue(e.getMessage().contains("expected 1 strides, found 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ElementwiseKernelSpec("k", new long[] {1L << 31},
                List.of(), List.of(new Output(ScalarExpr.constant(0), DType.FLOAT32))));
        assertTrue(e.getMessage().contains("2^31"), e.getMessage());
    }

    @Test
    void vectorPathOnlyWhenAlignedContiguousAndMultipleOfFour() {
        long[] shape = {6, 4};
        TensorOperand x = TensorOperand.contiguous(DType.FLOAT32, shape);
        ScalarExpr v = ScalarExpr.apply(ScalarOp.NEG, ScalarExpr.input(0));
        assertTrue(ptx(shape, x, v).contains("ld.global.nc.v4.f32"));
        // Offset 1 breaks 16-byte alignment; a transposed view breaks contiguity; 0 and 6 elements are not multiples of 4.
        assertFalse(ptx(shape, new TensorOperand(DType.FLOAT32, new long[] {4, 1}, 1), v).contains(".v4"));
        assertFalse(ptx(shape, new TensorOperand(DType.FLOAT32, new long[] {1, 6}, 0), v).contains(".v4"));
        assertFalse(ptx(new long[] {6}, TensorOperand.contiguous(DType.FLOAT32, new long[] {6}), v).contains(".v4"));
        String empty = ptx(new long[] {0, 4}, TensorOperand.contiguous(DType.FLOAT32, new long[] {0, 4}), v);
        assertTrue(empty.contains("setp.ge.u32 %p0, %r1, 0;") || empty.contains(", 0;"), empty);
    }

    @Test
    void reductionAndGemmSpecsRejectBadCalls() {
        TensorOperand x = TensorOperand.contiguous(DType.FLOAT32, new long[] {2, 0});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RowReductionSpec.of("r", RowReductionSpec.Kind.MAX, new long[] {2, 0}, x));
        assertTrue(e.getMessage().contains("non-empty") && e.getMessage().contains("size 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new RowReductionSpec("r", RowReductionSpec.Kind.SUM,
                new long[] {2, 3}, TensorOperand.contiguous(DType.FLOAT32, new long[] {2, 3}), 0, true, false));
        assertTrue(e.getMessage().contains("only for LAYER_NORM"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new GemmSpec("g", GemmSpec.Precision.FP32, false, false, ScalarOp.ADD));
        assertTrue(e.getMessage().contains("unary") && e.getMessage().contains("ADD"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GemmKernelGenerator.launch(65536L * 128, 10, 1));
        assertEquals(new LaunchConfig(8, 3, 2, 256), GemmKernelGenerator.launch(300, 1024, 2));
    }

    @Test
    void reductionBlockSizeFollowsRowLength() {
        assertEquals(32, RowReductionGenerator.threadsFor(1));
        assertEquals(64, RowReductionGenerator.threadsFor(33));
        assertEquals(256, RowReductionGenerator.threadsFor(100000));
        GeneratedKernel k = RowReductionGenerator.generate(RowReductionSpec.of("r", RowReductionSpec.Kind.SUM, new long[] {7, 10},
                TensorOperand.contiguous(DType.FLOAT32, new long[] {7, 10})), PtxTarget.SM80);
        assertEquals(new LaunchConfig(7, 1, 1, 32), k.launch());
        assertFalse(k.kernel().ptx().contains(".shared"), "a one-warp block needs no shared memory");
    }

    private static String ptx(long[] shape, TensorOperand x, ScalarExpr v) {
        return ElementwiseKernelGenerator.generate(new ElementwiseKernelSpec("k", shape, List.of(x),
                List.of(new Output(v, DType.FLOAT32))), PtxTarget.SM80).kernel().ptx();
    }
}
