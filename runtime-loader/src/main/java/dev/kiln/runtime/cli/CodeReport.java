package dev.kiln.runtime.cli;

import dev.kiln.codegen.jvm.GeneratedCodeRejectedException;
import dev.kiln.codegen.jvm.GeneratedCodeVerifier;
import dev.kiln.codegen.jvm.JvmCompiler;
import dev.kiln.codegen.ptx.kir.KernelIrRenderer;
import dev.kiln.ir.graph.Node;
import dev.kiln.serialization.CompiledCode;
import dev.kiln.serialization.KilnArchive;
import java.util.ArrayList;
import java.util.List;

/**
 * The generated-code part of {@code inspect}: per compiled-code section its backend, ABI version against this
 * runtime's (a different one means the runtime regenerates the code from the stored graph), the optimised graph's
 * size, and per artifact its entry and status — for a class (and its scalar twin, if any), the result of the same
 * allow-list scan the {@code jvm} backend runs before loading it; for PTX, whether it defines the kernel entry its metadata names.
 */
final class CodeReport {
    private CodeReport() {}

    static List<String> lines(KilnArchive a) {
        List<String> out = new ArrayList<>();
        for (CompiledCode c : a.compiledCode()) {
            int ours = c.backend().equals("jvm") ? JvmCompiler.ABI_VERSION
                    : c.backend().equals("ptx") ? KernelIrRenderer.ABI_VERSION : -1;
            List<Node> top = c.graph().topBlock().nodes();
            long groups = top.stream().filter(n -> n.kind() instanceof dev.kiln.ir.graph.NodeKind.Fused).count();
            out.add(c.backend() + " code: ABI version " + c.abiVersion() + (ours < 0 ? " (unknown backend)"
                    : ours == c.abiVersion() ? " (this runtime's)" : " (this runtime has " + ours
                            + ": the code will be regenerated from the stored graph)")
                    + ", optimised graph of " + top.size() + " nodes, " + groups + " fusion groups, "
                    + c.graph().constants().size() + " constants" + (c.compileOptions().isEmpty() ? ""
                            : ", options " + c.compileOptions()));
            if (c.artifacts().isEmpty()) out.add("  (no artifacts: the graph runs on the interpreter)");
            for (CompiledCode.Artifact art : c.artifacts()) {
                out.add("  " + art.entry() + "  " + status(a, art));
                if (art.scalarClass() != null) {
                    out.add("  " + art.scalarEntry() + "  scalar twin: " + scan(a, art.scalarClass())
                            + " (run by a JVM without jdk.incubator.vector)");
                }
            }
        }
        return out;
    }

    private static String status(KilnArchive a, CompiledCode.Artifact art) {
        if (art.launch() != null) {
            String ptx = a.ptx().get(art.name());
            boolean defines = ptx != null && ptx.contains(".entry " + art.name() + "(");
            return (defines ? "PTX defines ." + "entry " + art.name() : "PTX DOES NOT DEFINE entry " + art.name())
                    + ", node " + art.launch().node() + ", " + art.launch().threads() + " threads"
                    + (art.launch().reduction() ? ", reduction" : "");
        }
        return scan(a, art.name());
    }

    private static String scan(KilnArchive a, String cls) {
        try {
            GeneratedCodeVerifier.verify(a.classFile(cls));
            return "class " + cls + ": allow-list scan passed";
        } catch (GeneratedCodeRejectedException e) {
            return "REJECTED by the allow-list scan: " + e.getMessage();
        }
    }
}
