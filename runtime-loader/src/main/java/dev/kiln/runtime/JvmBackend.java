package dev.kiln.runtime;

import dev.kiln.codegen.jvm.CompileOptions;
import dev.kiln.codegen.jvm.CompiledModule;
import dev.kiln.codegen.jvm.GeneratedCodeRejectedException;
import dev.kiln.codegen.jvm.GeneratedCodeVerifier;
import dev.kiln.codegen.jvm.JvmCompiler;
import dev.kiln.eager.Tensor;
import dev.kiln.eager.interp.GuardPolicy;
import dev.kiln.ir.graph.Block;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.NodeKind;
import dev.kiln.serialization.CompiledCode;
import dev.kiln.serialization.KilnArchive;
import java.util.Map;

/**
 * Runs the archive's generated JVM class ({@code jvm} compiled-code section, format 1.1).
 *
 * <p>Embedded bytecode is used only after verification: the reader has checked the entry's SHA-256 against the
 * index; {@link JvmCompiler#instantiate} then scans it ({@code GeneratedCodeVerifier}: it may refer to nothing but the
 * runtime kernel API, {@code FastMath32} and a short JDK allow-list), checks it fits the stored optimised graph, and
 * defines it in its own class loader. A class that fails the scan is a load error naming the entry, class, method
 * and reference. A JVM without {@code jdk.incubator.vector} cannot run a class with vector loops: it loads the class's
 * scalar twin instead (format 1.2; verified the same way), and regenerates scalar code only for an archive without
 * one. The class is instead regenerated from the stored optimised graph — and the model says so in its
 * {@link LoadedModel#codeNotes()} — when asked ({@link LoadOptions#regenerateCode()}) or when the section was written
 * for another codegen ABI version. An archive without a {@code jvm} section (an {@code interp} archive, or format
 * 1.0) is optimised and compiled at load time from its model graph and parameters.
 *
 * <p>Thread-safe: a {@link CompiledModule} keeps per-thread execution contexts.
 */
final class JvmBackend implements Backend {
    static final String NAME = "jvm";

    @Override
    public String name() { return NAME; }

    @Override
    public Executor prepare(LoadContext context) throws ModelLoadException {
        KilnArchive archive = context.archive();
        if (InterpreterBackend.guardPolicy(archive) == GuardPolicy.WARN) {
            // Generated code fails a guard; only the interpreter can warn and go on.
            context.note("jvm: the trace's guard policy is 'warn', which generated code does not implement: the "
                    + "graph runs on the interpreter");
            return new InterpreterBackend().prepare(context);
        }
        CompiledModule m = module(context, archive.compiledCode(NAME).orElse(null));
        return new Executor() {
            @Override
            public java.util.List<Tensor> execute(Tensor[] inputs) { return m.forward(inputs); }

            @Override
            public boolean awaitWarm(java.time.Duration timeout) { return m.awaitWarm(timeout); }
        };
    }

    /** The module for {@code code} (null: none in the archive), embedded or regenerated as the options say. */
    static CompiledModule module(LoadContext context, CompiledCode code) throws ModelLoadException {
        return module(context, code, JvmCompiler.vectorModulePresent());
    }

    /**
     * {@link #module(LoadContext, CompiledCode)} for a JVM that has ({@code vectorModule}) or lacks the Vector API:
     * without it, a class with vector loops is replaced by its scalar twin, or regenerated when it has none.
     */
    static CompiledModule module(LoadContext context, CompiledCode code, boolean vectorModule)
            throws ModelLoadException {
        KilnArchive archive = context.archive();
        if (code == null) {
            context.note("jvm: the archive carries no JVM code (format " + archive.formatVersion() + ", backend "
                    + Backends.requestedBy(archive.metadata()) + "): compiled from its graph at load time");
            Graph optimised = GeneratedCode.optimise(archive.graph(), context.parameters());
            return JvmCompiler.compile(optimised, Map.of(), CompileOptions.defaults());
        }
        Map<String, Tensor> params = readsParameters(code.graph().topBlock()) ? context.parameters() : Map.of();
        String reason = context.options().regenerateCode() ? "as requested (--regenerate-code)"
                : code.abiVersion() != JvmCompiler.ABI_VERSION ? "because it was generated for codegen ABI version "
                        + code.abiVersion() + " and this runtime has version " + JvmCompiler.ABI_VERSION
                : null;
        if (reason != null) {
            context.note("jvm: class regenerated from the archive's optimised graph " + reason);
            return JvmCompiler.compile(code.graph(), params, CompileOptions.defaults());
        }
        if (code.artifacts().size() > 1) {
            throw new ModelLoadException("jvm code section lists " + code.artifacts().size()
                    + " classes; this runtime runs one generated class per graph");
        }
        CompiledCode.Artifact a = code.artifacts().isEmpty() ? null : code.artifacts().get(0);
        if (a == null) {
            try {
                CompiledModule m = JvmCompiler.instantiate(code.graph(), params, new byte[0]);
                context.note("jvm: no class (the graph has control flow and runs on the interpreter)");
                return m;
            } catch (IllegalArgumentException e) {
                throw new ModelLoadException("jvm code section: " + e.getMessage(), e);
            }
        }
        // Without the Vector API the scalar twin (format 1.2) is the class this JVM can run; scanned like any class.
        boolean twin = !vectorModule && a.scalarClass() != null;
        String cls = twin ? a.scalarClass() : a.name();
        String entry = twin ? a.scalarEntry() : a.entry();
        try {
            byte[] bytes = context.archive().classFile(cls);
            GeneratedCodeVerifier.VerifiedClass vc = GeneratedCodeVerifier.verify(bytes);
            if (vc.usesVectorApi() && !vectorModule) {
                if (twin) {
                    throw new ModelLoadException(entry + ": the scalar twin of " + a.name() + " uses vector loops "
                            + "(the Vector API); a scalar twin must not (--regenerate-code generates scalar code from "
                            + "the archive's graph instead)");
                }
                context.note("jvm: class regenerated from the archive's optimised graph because the archived class "
                        + "uses vector loops (the Vector API), this JVM was started without --add-modules "
                        + "jdk.incubator.vector and the archive has no scalar twin (format 1.2): scalar loops instead");
                return JvmCompiler.compile(code.graph(), params, CompileOptions.defaults());
            }
            CompiledModule m = JvmCompiler.instantiate(code.graph(), params, bytes, vc);
            context.note("jvm: " + entry + ": SHA-256 checked, allow-list scan passed, loaded" + (twin
                    ? " (the scalar twin of " + a.name() + ": this JVM has no jdk.incubator.vector)" : ""));
            return m;
        } catch (GeneratedCodeRejectedException e) {
            throw new ModelLoadException(entry + ": embedded bytecode rejected by the verifier: " + e.getMessage()
                    + " (the class was not loaded; --regenerate-code runs code generated from the archive's graph "
                    + "instead)", e);
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException(entry + ": " + e.getMessage(), e);
        }
    }

    private static boolean readsParameters(Block b) {
        for (Node n : b.nodes()) {
            if (n.kind() instanceof NodeKind.Param) return true;
            for (Block sub : n.blocks()) if (readsParameters(sub)) return true;
        }
        return false;
    }
}
