package dev.kiln.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.codegen.ptx.Ptxas;
import dev.kiln.codegen.ptx.asm.PtxTarget;
import dev.kiln.codegen.ptx.kir.KernelIrRenderer;
import dev.kiln.codegen.ptx.kir.RenderedKernel;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.sym.SymExpr;
import dev.kiln.passes.kernel.Kernel;
import dev.kiln.passes.kernel.Operand;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every fusion group of every conformance case (traced at {@code input0}, standard pipeline), lowered to kernel IR,
 * renders to PTX that {@code ptxas -arch=sm_90} assembles without spills. There is no GPU on the build machine, so
 * beyond assembly this checks structure, not numbers (those are {@link FusedKernelGpuTest}'s, on a GPU): one pointer
 * per operand the kernel reads and per store, one {@code u32} per symbolic domain dim, the bounds checks, one store
 * per output, each read operand's buffer at the case's sizes matching its type, and a launch that covers the domain.
 * The ptxas part is skipped (JUnit assumption) only where {@code ptxas} is absent.
 */
class PtxConformanceTest {
    private static final Optional<Ptxas> PTXAS = Ptxas.find();

    static Stream<String> cases() { return TracedConformanceTest.cases(); }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyFusionGroupRendersAndAssembles(String name) {
        List<FusedKernelCases.Group> groups = FusedKernelCases.groups(name);
        for (FusedKernelCases.Group g : groups) {
            Kernel k = g.lowered().kernel();
            RenderedKernel r = KernelIrRenderer.render(k, g.entryName(), PtxTarget.SM90);
            checkStructure(g, r);
            PTXAS.ifPresent(p -> {
                Ptxas.Result res = p.assemble(r.kernel().ptx(), "sm_90");
                assertTrue(res.ok(), g + ": ptxas failed:\n" + res.log() + "\n" + r.kernel().ptx());
                assertTrue(!res.log().contains("bytes spill stores") || res.log().contains(" 0 bytes spill stores"),
                        g + ": register spills:\n" + res.log());
            });
        }
        assumeTrue(PTXAS.isPresent() || groups.isEmpty(), "ptxas not on the PATH: rendered and checked the structure"
                + " of " + groups.size() + " kernels, assembled none");
    }

    private static void checkStructure(FusedKernelCases.Group g, RenderedKernel r) {
        Kernel k = g.lowered().kernel();
        String ptx = r.kernel().ptx();
        long symbolic = k.domain().stream().filter(d -> !d.isConstant()).count();
        assertEquals(symbolic, r.sizeParams().size(), g + ": one size parameter per symbolic dim");
        assertEquals(r.operandParams().size() + k.stores().size() + symbolic, count(ptx, "^\\s*\\.param "),
                g + ": parameters");
        assertEquals(r.operandParams().size() + k.stores().size(), count(ptx, "^\\s*\\.param \\.u64 "), g + ": pointers");
        if (g.lowered().anchor() != null) {
            assertTrue(r.operandParams().contains(g.lowered().anchorOperand()), g + ": reads the anchor's product");
        }
        int loops = count(ptx, "setp\\.ge\\.u32");
        assertTrue(k.reductionAxis() < 0 ? loops == 1 : loops >= 2, g + ": bounds checks, found " + loops);
        assertEquals(k.stores().size(), count(ptx, "st\\.global\\."), g + ": one store per output");
        // the buffers the kernel reads have the sizes their types give at these bindings
        List<Tensor> operands = g.operands();
        for (int op : r.operandParams()) {
            Operand o = k.operands().get(op);
            long want = 1;
            for (long d : o.type().shape().eval(g.bindings())) want *= d;
            assertEquals(want, operands.get(op).numel(), g + ": operand " + o.name());
        }
        long points = 1;
        for (SymExpr d : k.domain()) points *= d.eval(g.bindings());
        long covered = (long) r.launch(g.bindings()).gridX() * (k.reductionAxis() < 0 ? r.threads() : 1);
        long work = k.reductionAxis() < 0 ? points : points / Math.max(1, k.domain().get(k.reductionAxis())
                .eval(g.bindings()));
        assertTrue(covered >= Math.min(work, 65536L * (k.reductionAxis() < 0 ? r.threads() : 1)),
                g + ": launch covers the domain (or strides over it)");
    }

    private static int count(String text, String regex) {
        Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(text);
        int n = 0;
        while (m.find()) n++;
        return n;
    }
}
