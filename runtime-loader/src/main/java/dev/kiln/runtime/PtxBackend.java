package dev.kiln.runtime;

import dev.kiln.codegen.jvm.CompiledModule;
import dev.kiln.codegen.ptx.cuda.CudaAvailability;
import dev.kiln.codegen.ptx.cuda.CudaDevice;
import dev.kiln.codegen.ptx.kir.KernelIrRenderer;
import dev.kiln.ir.graph.Graph;
import dev.kiln.serialization.CompiledCode;
import dev.kiln.serialization.KilnArchive;
import java.util.Map;

/**
 * Runs an archive compiled for the GPU ({@code ptx} section, format 1.1: the optimised graph and one PTX kernel per
 * fusion group with its launch metadata).
 *
 * <ul>
 *   <li>With {@link LoadOptions.Device#CUDA} ({@code --device cuda}) and a CUDA device of compute capability 8.0 or
 *       newer: the kernels are loaded by the driver (JIT from PTX) and run by {@link PtxGraphExecutor}. The PTX is
 *       used when its section's ABI version is this runtime's and not {@code --regenerate-code}; otherwise the kernels
 *       are rendered again from the stored optimised graph. Without a device the load fails with
 *       {@link DeviceUnavailableException} ("no CUDA device: ...").</li>
 *   <li>Without {@code --device cuda} the model runs on the CPU from the same optimised graph: the archive's
 *       {@code jvm} section (written beside the PTX, verified as {@link JvmBackend} does), so a GPU archive runs
 *       anywhere.</li>
 * </ul>
 *
 * PTX is not scanned like bytecode: it runs on the device, cannot call host code, and is checked for integrity
 * (SHA-256), for defining the entry its metadata names, and by the driver's own compiler.
 */
final class PtxBackend implements Backend {
    static final String NAME = "ptx";

    @Override
    public String name() { return NAME; }

    @Override
    public Executor prepare(LoadContext context) throws ModelLoadException {
        KilnArchive archive = context.archive();
        if (context.options().device() != LoadOptions.Device.CUDA) {
            context.note("ptx: runs on the CPU (JVM code of the same optimised graph); --device cuda runs the PTX");
            CompiledModule m = JvmBackend.module(context, archive.compiledCode(JvmBackend.NAME).orElse(null));
            return m::forward;
        }
        CudaAvailability.Status s = CudaAvailability.check();
        if (!s.available()) {
            throw new DeviceUnavailableException(s.describe() + " (--device cuda needs an NVIDIA GPU of compute "
                    + "capability 8.0 or newer with its driver; without --device cuda the model runs on the CPU)");
        }
        CompiledCode code = archive.compiledCode(NAME).orElse(null);
        Map<String, String> kernels = archive.ptx();
        String reason = code == null ? "the archive carries no PTX"
                : context.options().regenerateCode() ? "as requested (--regenerate-code)"
                : code.abiVersion() != KernelIrRenderer.ABI_VERSION ? "because it was rendered for ABI version "
                        + code.abiVersion() + " and this runtime has version " + KernelIrRenderer.ABI_VERSION
                : null;
        if (reason != null) {
            Graph optimised = code != null ? code.graph() : GeneratedCode.optimise(archive.graph(), context.parameters());
            GeneratedCode.Ptx ptx = GeneratedCode.ptx(optimised);
            code = ptx.section();
            kernels = ptx.kernels();
            context.note("ptx: kernels rendered from the optimised graph " + reason);
        } else {
            context.note("ptx: " + code.artifacts().size() + " archived kernels, SHA-256 checked");
        }
        if (hasControlFlow(code.graph())) {
            context.note("ptx: the graph has control flow, which the GPU executor does not run: CPU instead");
            return JvmBackend.module(context, archive.compiledCode(JvmBackend.NAME).orElse(null))::forward;
        }
        context.note("ptx: " + s.describe());
        try {
            return new PtxGraphExecutor(code, kernels, new CudaDevice());
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException("ptx code section: " + e.getMessage(), e);
        }
    }

    private static boolean hasControlFlow(Graph g) {
        return g.topBlock().nodes().stream().anyMatch(n -> n.kind() instanceof dev.kiln.ir.graph.NodeKind.Cond
                || n.kind() instanceof dev.kiln.ir.graph.NodeKind.Scan);
    }
}
