package dev.kiln.samples.cli;

import dev.kiln.codegen.jvm.CompileOptions;
import dev.kiln.codegen.jvm.CompiledModule;
import dev.kiln.codegen.jvm.JvmCompiler;
import dev.kiln.eager.Tensor;
import dev.kiln.eager.autograd.GradMode;
import dev.kiln.eager.nn.Module;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.text.IrPrinter;
import dev.kiln.runtime.KilnRuntime;
import dev.kiln.runtime.LoadedModel;
import dev.kiln.samples.CaseArchives;
import dev.kiln.samples.CaseJson;
import dev.kiln.samples.Comparison;
import dev.kiln.samples.ConformanceCase;
import dev.kiln.samples.bench.CompiledCases;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The second half of {@code ./kiln demo}: {@code mynet} with its PyTorch weights is traced at {@code input0}
 * (batch 1), saved as a {@code .kiln} archive, loaded by a fresh {@link KilnRuntime#load} (which sees only the
 * file), run on {@code input1} — a batch size the trace never saw — and compared with PyTorch; then the traced
 * graph and the eager-vs-loaded timing are printed.
 *
 * <p>{@link #compiledStage} also runs the inference passes and codegen-jvm on the traced graph, so the timing
 * compares eager, the loaded archive, and the compiled class. The archive is a {@code jvm} archive: it carries the
 * generated class, which the runtime verifies (allow-list scan) and runs.
 */
final class ArchiveDemo {
    private static final int TIMED_RUNS = 20;
    private static final int UNTIMED_RUNS = 200;
    /** How long the demo waits for compiled code to reach its steady-state speed before timing it. */
    private static final java.time.Duration WARM_WAIT = java.time.Duration.ofSeconds(20);

    private ArchiveDemo() {}

    /** Runs the demo on the suite's mynet case; returns the number of failures (0 or 1). */
    static int run(Path suite, PrintStream out) {
        Path dir = suite.resolve("mynet");
        out.println();
        out.println("== mynet: trace -> save -> load in the runtime -> run on a new batch size ==");
        if (!Files.isDirectory(dir)) {
            out.println("skipped: no mynet case in " + suite);
            return 0;
        }
        CaseJson meta = CaseJson.read(dir);
        Module model = ConformanceCase.MYNET.load(dir);
        Tensor[] in0 = ConformanceCase.inputs(dir, 0).toArray(Tensor[]::new);
        Tensor[] in1 = ConformanceCase.inputs(dir, 1).toArray(Tensor[]::new);
        Path tmp = null;
        try {
            long t0 = System.nanoTime();
            CaseArchives.Traced traced = CaseArchives.trace("mynet", model, meta, in0);
            double traceMs = ms(t0);
            out.printf("traced at %s in %.0f ms:%n%n", type(in0[0]), traceMs);
            out.print(traced.module());
            out.println();
            CompiledModule compiled = compiledStage(out, model, dir, in0);
            List<Tensor> compiledOut = compiled.forward(in1);
            Comparison cc = Comparison.of(compiledOut.get(0), ConformanceCase.expectedOutputs(dir, 1).get(0),
                    meta.rtol(), meta.atol());
            out.printf("compiled class on input1 %s vs PyTorch: max|diff| %.3g -> %s%n%n", type(in1[0]),
                    cc.maxAbsDiff(), cc.withinTolerance() ? "ok" : "MISMATCH " + cc.problem());

            tmp = Files.createTempDirectory("kiln-demo");
            Path file = tmp.resolve("mynet.kiln");
            CaseArchives.save(traced, file);
            t0 = System.nanoTime();
            LoadedModel loaded = KilnRuntime.load(file);
            double loadMs = ms(t0);
            out.printf("saved %s (%,d bytes); loaded by KilnRuntime.load in %.1f ms: %s -> %s, backend %s%n",
                    file.getFileName(), Files.size(file), loadMs, loaded.signature().inputs(),
                    loaded.signature().outputs(), loaded.backend());
            for (String note : loaded.codeNotes()) out.println("  " + note);

            List<Tensor> got = loaded.forward(in1);
            Tensor expected = ConformanceCase.expectedOutputs(dir, 1).get(0);
            Comparison c = Comparison.of(got.get(0), expected, meta.rtol(), meta.atol());
            out.printf("loaded model on input1 %s vs PyTorch: max|diff| %.3g -> %s%n", type(in1[0]), c.maxAbsDiff(),
                    c.withinTolerance() ? "ok" : "MISMATCH " + c.problem());

            double eagerMs;
            try (var noGrad = GradMode.noGrad()) {
                eagerMs = medianMs(() -> (Tensor) model.forward(in1));
            }
            // Compiled code runs its scalar/BLAS forms until the JIT has compiled its Vector API kernels on a
            // background thread (docs/codegen-jvm.md); time the steady state, as a server would after its readiness wait.
            t0 = System.nanoTime();
            boolean warm = loaded.awaitWarm(WARM_WAIT) & compiled.awaitWarm(WARM_WAIT);
            double warmMs = ms(t0);
            double loadedMs = medianMs(() -> loaded.forward(in1).get(0));
            out.printf("%ntiming on input1, median of %d calls after %d untimed ones (after %s the Vector API "
                    + "warm-up: %.0f ms):%n", TIMED_RUNS, UNTIMED_RUNS, warm ? "waiting for" : "giving up on", warmMs);
            out.printf("  %-28s %8.3f ms%n", "eager (Java model)", eagerMs);
            out.printf("  %-28s %8.3f ms%n", "loaded archive (" + loaded.backend() + ")", loadedMs);
            double compiledMs = medianMs(() -> compiled.forward(in1).get(0));
            out.printf("  %-28s %8.3f ms%n", "compiled (codegen-jvm)", compiledMs);
            return c.withinTolerance() && cc.withinTolerance() ? 0 : 1;
        } catch (IOException | RuntimeException e) {
            out.println("ERROR " + e);
            return 1;
        } finally {
            deleteQuietly(tmp);
        }
    }

    /**
     * The compiler's stage: the traced graph through the inference pipeline (freezing, conv/BN folding, fusion),
     * printed, then compiled to one JVM class with codegen-jvm; prints the compile report's fallbacks.
     */
    private static CompiledModule compiledStage(PrintStream out, Module model, Path dir, Tensor[] example) {
        long t0 = System.nanoTime();
        Graph optimised = CompiledCases.optimised(model, dir, example);
        double passesMs = ms(t0);
        out.printf("graph after the inference passes (%.0f ms):%n%n%s%n", passesMs, IrPrinter.print(optimised));
        t0 = System.nanoTime();
        CompiledModule compiled = JvmCompiler.compile(optimised, Map.of(), CompileOptions.defaults());
        out.printf("compiled to one JVM class in %.0f ms; %s%n", ms(t0), compiled.report());
        return compiled;
    }

    /**
     * The median of {@link #TIMED_RUNS} calls after {@link #UNTIMED_RUNS} untimed ones: right after a model's
     * first calls the JIT is still compiling its path (with a single warm-up call, the loaded model's median
     * ranged from 0.19 to 0.94 ms over three runs of the demo).
     */
    private static double medianMs(Supplier<Tensor> call) {
        for (int i = 0; i < UNTIMED_RUNS; i++) call.get();
        double[] t = new double[TIMED_RUNS];
        for (int i = 0; i < t.length; i++) {
            long t0 = System.nanoTime();
            call.get();
            t[i] = ms(t0);
        }
        Arrays.sort(t);
        return (t[TIMED_RUNS / 2 - 1] + t[TIMED_RUNS / 2]) / 2;
    }

    private static double ms(long t0) { return (System.nanoTime() - t0) / 1e6; }

    private static String type(Tensor t) { return t.dtype().irName() + Arrays.toString(t.shape()); }

    private static void deleteQuietly(Path dir) {
        if (dir == null) return;
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) Files.deleteIfExists(p);
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // a temporary folder; the OS cleans it eventually
        }
    }
}
