package dev.kiln.codegen.ptx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.codegen.ptx.asm.PtxTarget;
import dev.kiln.codegen.ptx.kir.KernelIrRenderer;
import dev.kiln.codegen.ptx.kir.RenderedKernel;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.NodeKind;
import dev.kiln.ir.text.IrParser;
import dev.kiln.passes.kernel.Kernel;
import dev.kiln.passes.kernel.KernelFixtures;
import dev.kiln.passes.kernel.KernelLowering;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The passes module's kernel-lowering fixtures ({@link KernelFixtures}) lowered by {@link KernelLowering} and
 * rendered: each assembles with ptxas for sm_90 (skipped where ptxas is absent) and has one axis pass per reduction
 * depth plus the write pass.
 */
class LoweredGroupPtxTest {
    private static List<Kernel> kernels() {
        List<Kernel> out = new ArrayList<>();
        for (String text : List.of(KernelFixtures.ELEMENTWISE, KernelFixtures.REDUCTIONS, KernelFixtures.SOFTMAXES,
                KernelFixtures.EPILOGUE)) {
            for (Node n : IrParser.parse(text).topBlock().nodes()) {
                if (n.kind() instanceof NodeKind.Fused) out.add(KernelLowering.lower(n).kernel());
            }
        }
        return out;
    }

    @Test
    void loweredGroupsRenderWithOnePassPerReductionDepth() {
        List<Kernel> ks = kernels();
        assertEquals(5, ks.size());
        // elementwise, layer norm (mean; variance; mean of tanh needs both: 3 depths, then the write pass),
        // softmax (max; sum; write), log-softmax + sum (max; sum; sum of |.|; no full store), epilogue
        int[] colPasses = {0, 4, 3, 3, 0};
        for (int i = 0; i < ks.size(); i++) {
            RenderedKernel r = KernelIrRenderer.render(ks.get(i), "lowered_" + i, PtxTarget.SM90);
            String ptx = r.kernel().ptx();
            int passes = ptx.split("\\$L_col_\\d+:", -1).length - 1;
            assertEquals(colPasses[i], passes, "kernel " + i + ":\n" + ks.get(i));
            assertEquals(List.of("B"), r.sizeParams().stream().map(Object::toString).toList());
            assertTrue(r.launch(Map.of("B", 3L)).gridX() >= 1);
        }
    }

    @Test
    void loweredGroupsAssembleForSm90() {
        Optional<Ptxas> ptxas = Ptxas.find();
        assumeTrue(ptxas.isPresent(), "ptxas not on the PATH");
        List<Kernel> ks = kernels();
        for (int i = 0; i < ks.size(); i++) {
            RenderedKernel r = KernelIrRenderer.render(ks.get(i), "lowered_" + i, PtxTarget.SM90);
            Ptxas.Result res = ptxas.get().assemble(r.kernel().ptx(), "sm_90");
            assertTrue(res.ok(), "kernel " + i + ": " + res.log() + "\n" + r.kernel().ptx());
        }
    }
}
