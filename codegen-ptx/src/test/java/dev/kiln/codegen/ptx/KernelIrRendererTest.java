package dev.kiln.codegen.ptx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.codegen.ptx.asm.PtxTarget;
import dev.kiln.codegen.ptx.kir.KernelIrRenderer;
import dev.kiln.codegen.ptx.kir.RenderedKernel;
import dev.kiln.codegen.ptx.kir.UnsupportedKernelException;
import dev.kiln.ir.DType;
import dev.kiln.ir.type.TensorType;
import dev.kiln.passes.kernel.Expr;
import dev.kiln.passes.kernel.Kernel;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Structure of rendered kernel IR (no GPU here, so no execution): parameters, bounds checks, launch geometry for
 * concrete bindings, one pass per reduction depth, and loud failures on what the renderer cannot express.
 */
class KernelIrRendererTest {
    private static final PtxTarget T = PtxTarget.SM90;

    private static int count(String text, String regex) {
        Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(text);
        int n = 0;
        while (m.find()) n++;
        return n;
    }

    @Test
    void elementwiseParametersSkipAnchorOnlyOperandsAndPassSymbolicSizes() {
        RenderedKernel r = KernelIrRenderer.render(KernelIrKernels.elementwise(), "ew", T);
        String ptx = r.kernel().ptx();
        assertEquals(List.of(0, 1, 2), r.operandParams(), "operand 3 is read only by an anchor");
        assertEquals(6, r.parameterCount());
        assertEquals(6, count(ptx, "^\\s*\\.param "));
        assertEquals(1, count(ptx, "\\.param \\.u32 dim0"), "B is a kernel parameter");
        assertEquals(1, count(ptx, "setp\\.ge\\.u32"), "one bounds check per grid-stride iteration");
        assertEquals(2, count(ptx, "st\\.global"));
        assertEquals(0, count(ptx, "cvt\\.rn\\.f32\\.f64"), "f64 scalar constants are folded to f32 immediates");
        assertEquals(new LaunchConfig(4, 1, 1, 256), r.launch(Map.of("B", 16L)), "16 * 64 elements / 256");
        assertEquals(new LaunchConfig(1, 1, 1, 256), r.launch(Map.of("B", 0L)), "an empty domain still launches");
        assertEquals(16L, r.sizeArguments(Map.of("B", 16L))[0]);
        IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
                () -> r.launch(Map.of("B", 1L << 26)));
        assertTrue(big.getMessage().contains("2^31"), big.getMessage());
    }

    @Test
    void nestedReductionTakesOnePassPerDepthAndAStridedAxisWalk() {
        RenderedKernel r = KernelIrRenderer.render(KernelIrKernels.softmaxMiddleAxis(), "sm", T);
        String ptx = r.kernel().ptx();
        assertTrue(r.reduction());
        assertEquals(256, r.threads(), "symbolic extent S: the full block");
        assertEquals(List.of(KernelIrKernels.type(DType.FLOAT32, "B", "S", 8).shape().dims().get(0),
                KernelIrKernels.type(DType.FLOAT32, "B", "S", 8).shape().dims().get(1)), r.sizeParams());
        // passes over the axis: max and sum of x (depth 0, one pass); sum of exp(x - max); the softmax write
        assertEquals(3, count(ptx, "^\\$L_col_\\d+:"));
        assertEquals(1 + 3, count(ptx, "setp\\.ge\\.u32"), "outer-point check and one per axis pass");
        assertEquals(3 * 5, count(ptx, "shfl\\.sync\\.bfly"), "three block reductions of five butterfly steps");
        assertTrue(ptx.contains("mad.lo.u32") && ptx.contains("%tid.x"));
        assertEquals(new LaunchConfig(24, 1, 1, 256), r.launch(Map.of("B", 3L, "S", 5L)), "one block per (b, col)");
    }

    @Test
    void constantExtentPicksTheBlockSize() {
        Kernel k = KernelIrKernels.softmaxMiddleAxis();
        TensorType full = KernelIrKernels.type(DType.FLOAT32, 2, 40, 8);
        Kernel fixed = new Kernel("fixed", List.of(KernelIrKernels.operand("x", full)), full.shape().dims(), 1,
                List.of(new Kernel.Store(k.stores().get(0).value(), full, false),
                        new Kernel.Store(k.stores().get(1).value(), KernelIrKernels.type(DType.FLOAT32, 2, 8), true)));
        RenderedKernel r = KernelIrRenderer.render(fixed, "fixed", T);
        assertEquals(64, r.threads());
        assertEquals(0, r.sizeParams().size());
        assertEquals(3, r.parameterCount());
    }

    @Test
    void unsupportedOpsFailNamingTheOp() {
        TensorType d = KernelIrKernels.type(DType.FLOAT64, "S");
        Kernel exp64 = new Kernel("k", List.of(KernelIrKernels.operand("x", d)), d.shape().dims(), -1,
                List.of(new Kernel.Store(new Expr.Unary(Expr.UnaryOp.EXP, new Expr.Load(0, DType.FLOAT64),
                        DType.FLOAT64), d, false)));
        UnsupportedKernelException e = assertThrows(UnsupportedKernelException.class,
                () -> KernelIrRenderer.render(exp64, "k", T));
        assertTrue(e.getMessage().contains("EXP") && e.getMessage().contains("f64"), e.getMessage());

        Kernel sum64 = new Kernel("k", List.of(KernelIrKernels.operand("x", d)), d.shape().dims(), 0,
                List.of(new Kernel.Store(new Expr.Reduce(Expr.ReduceOp.SUM, new Expr.Load(0, DType.FLOAT64),
                        DType.FLOAT64), KernelIrKernels.type(DType.FLOAT64), true)));
        e = assertThrows(UnsupportedKernelException.class, () -> KernelIrRenderer.render(sum64, "k", T));
        assertTrue(e.getMessage().contains("SUM") && e.getMessage().contains("f64"), e.getMessage());

        TensorType f = KernelIrKernels.type(DType.FLOAT32, "S");
        Kernel varying = new Kernel("k", List.of(KernelIrKernels.operand("x", f)), f.shape().dims(), 0,
                List.of(new Kernel.Store(new Expr.Load(0, DType.FLOAT32), KernelIrKernels.type(DType.FLOAT32), true)));
        e = assertThrows(UnsupportedKernelException.class, () -> KernelIrRenderer.render(varying, "k", T));
        assertTrue(e.getMessage().contains("varies along the axis"), e.getMessage());
    }
}
