package dev.kiln.runtime;

import dev.kiln.codegen.jvm.CompileOptions;
import dev.kiln.codegen.jvm.CompiledModule;
import dev.kiln.codegen.jvm.GeneratedCodeVerifier;
import dev.kiln.codegen.jvm.JvmCompiler;
import dev.kiln.codegen.ptx.asm.PtxTarget;
import dev.kiln.codegen.ptx.kir.KernelIrRenderer;
import dev.kiln.codegen.ptx.kir.RenderedKernel;
import dev.kiln.codegen.ptx.kir.UnsupportedKernelException;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.NodeKind;
import dev.kiln.ir.graph.TensorData;
import dev.kiln.ir.text.IrParser;
import dev.kiln.ir.text.IrPrinter;
import dev.kiln.passes.Pipelines;
import dev.kiln.passes.kernel.KernelLowering;
import dev.kiln.passes.kernel.LoweringException;
import dev.kiln.passes.util.TensorBridge;
import dev.kiln.serialization.CompiledCode;
import dev.kiln.serialization.KilnArchive;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Making the code an archive carries, from a model graph: the inference pipeline's optimised graph (parameters
 * frozen, fusion groups formed), then a {@code jvm} section (the class {@link JvmCompiler} writes) and, for
 * {@code ptx}, a {@code ptx} section (one kernel per fusion group that renders, {@link KernelIrRenderer}). Used by the
 * exporter and by backends that regenerate code at load time.
 */
public final class GeneratedCode {
    /** The entry-name prefix of a fusion group's PTX kernel: {@code kiln_g<node index>}. */
    static final String KERNEL_PREFIX = "kiln_g";

    private GeneratedCode() {}

    /** A copy of {@code model} run through {@code Pipelines.inference} with {@code parameters} frozen in. */
    public static Graph optimise(Graph model, Map<String, Tensor> parameters) {
        Graph g = IrParser.parse(IrPrinter.print(model), model.constants());
        Map<String, TensorData> frozen = new LinkedHashMap<>();
        parameters.forEach((k, t) -> frozen.put(k, TensorBridge.data(t)));
        Pipelines.inference(frozen, Map.of()).build().run(g);
        return g;
    }

    /** The JVM class of {@code optimised} (none for a graph with control flow) and its section. */
    public record Jvm(CompiledModule module, CompiledCode section, Map<String, byte[]> classFiles) {}

    /**
     * Compiles {@code optimised} (verified by ASM's CheckClassAdapter as well) into a {@code jvm} section. A class
     * with Vector API loops gets a scalar twin (format 1.2): the same graph compiled with scalar loops, stored beside
     * it, so that a JVM without {@code jdk.incubator.vector} — such as the one-shot JVM of the {@code kiln-runtime}
     * launcher — loads verified code instead of generating it at load time.
     */
    public static Jvm jvm(Graph optimised) {
        CompileOptions options = CompileOptions.defaults().withVerify(true);
        CompiledModule m = JvmCompiler.compile(optimised, Map.of(), options);
        byte[] bytes = m.classBytes();
        Map<String, byte[]> classes = new LinkedHashMap<>();
        List<CompiledCode.Artifact> artifacts = new ArrayList<>();
        if (bytes.length > 0) {
            classes.put(m.report().className(), bytes);
            String twin = null;
            if (GeneratedCodeVerifier.verify(bytes).usesVectorApi()) {
                CompiledModule s = JvmCompiler.compile(optimised, Map.of(),
                        options.withLoops(CompileOptions.Loops.SCALAR));
                twin = s.report().className();
                classes.put(twin, s.classBytes());
            }
            artifacts.add(CompiledCode.Artifact.classFile(m.report().className(), twin));
        }
        return new Jvm(m, new CompiledCode(JvmBackend.NAME, JvmCompiler.ABI_VERSION, Map.of(), optimised, artifacts),
                classes);
    }

    /** The PTX kernels of {@code optimised}'s fusion groups and their section. */
    public record Ptx(CompiledCode section, Map<String, String> kernels, List<String> skipped) {}

    /**
     * Renders every top-level fusion group of {@code optimised} for {@code sm_80} (JIT-compiled by the driver for any
     * later GPU). A group the kernel IR cannot express or the renderer refuses gets no kernel (it runs on the CPU);
     * {@link Ptx#skipped()} says which and why.
     */
    public static Ptx ptx(Graph optimised) {
        List<Node> top = optimised.topBlock().nodes();
        Map<String, String> kernels = new LinkedHashMap<>();
        List<CompiledCode.Artifact> artifacts = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (int i = 0; i < top.size(); i++) {
            Node n = top.get(i);
            if (!(n.kind() instanceof NodeKind.Fused)) continue;
            String entry = KERNEL_PREFIX + i;
            try {
                RenderedKernel r = KernelIrRenderer.render(KernelLowering.lower(n).kernel(), entry, PtxTarget.SM80);
                kernels.put(entry, r.kernel().ptx());
                artifacts.add(CompiledCode.Artifact.ptx(entry, new CompiledCode.PtxLaunch(i, r.threads(), r.reduction(),
                        r.operandParams(), r.sizeParams())));
            } catch (LoweringException | UnsupportedKernelException e) {
                skipped.add("node " + i + " " + n.outputs() + ": " + e.getMessage());
            }
        }
        return new Ptx(new CompiledCode(PtxBackend.NAME, KernelIrRenderer.ABI_VERSION, Map.of("target", "sm_80"),
                optimised, artifacts), kernels, skipped);
    }

    /**
     * Adds the code {@code backend} runs to {@code b}: nothing for {@code interp}; the {@code jvm} section for
     * {@code jvm}; both sections for {@code ptx} (the JVM class is its CPU path).
     */
    static void addTo(KilnArchive.Builder b, Graph model, Map<String, Tensor> parameters, String backend) {
        if (backend.equals(InterpreterBackend.NAME)) return;
        Graph optimised = optimise(model, parameters);
        Jvm jvm = jvm(optimised);
        jvm.classFiles().forEach(b::classFile);
        b.compiledCode(jvm.section());
        if (backend.equals(PtxBackend.NAME)) {
            Ptx ptx = ptx(optimised);
            ptx.kernels().forEach(b::ptx);
            b.compiledCode(ptx.section());
        }
    }
}
