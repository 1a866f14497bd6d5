package dev.kiln.runtime.cli;

import dev.kiln.eager.Parallel;
import dev.kiln.eager.Tensor;
import dev.kiln.runtime.LoadedModel;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code run <file.kiln> --input <file.npy>... --out-dir <dir> [--backend NAME] [--device cpu|cuda]
 * [--regenerate-code] [--threads N] [--timing] [--verbose]}: loads the archive, runs it once on the inputs (in signature order) and writes {@code output0.npy, ...} in output
 * order. Nothing is written when loading, reading the inputs or running fails. {@code --timing} prints the load
 * and first-inference times and the time from JVM start to the first result on stderr (the cold-start figure of
 * docs/benchmarks.md). {@code --verbose} prints what the backend did with the archive's generated code (verified and
 * loaded, regenerated and why) on stderr; a successful run is otherwise silent there, as scripts expect.
 */
final class RunCommand {
    private RunCommand() {}

    static int run(String[] args, PrintStream out, PrintStream err) {
        Set<String> options = new java.util.HashSet<>(Set.of("--input", "--out-dir", "--threads"));
        options.addAll(ModelFiles.LOAD_OPTIONS);
        CommandLine cl = CommandLine.parse(args, options, Set.of("--timing", "--verbose", ModelFiles.REGENERATE));
        String archive = cl.onlyPositional("archive (.kiln file)");
        Path outDir = Path.of(cl.required("--out-dir"));
        String threads = cl.optional("--threads");
        if (threads != null) Parallel.setNumThreads(cl.positiveInt("--threads", 1));
        boolean timing = cl.flag("--timing");
        long t0 = System.nanoTime();
        // One call, then exit: no background load of OpenBLAS (its small products run in Java; LoadOptions).
        LoadedModel model = ModelFiles.load(archive, ModelFiles.loadOptions(cl).withWarmKernels(false));
        long t1 = System.nanoTime();
        if (cl.flag("--verbose")) for (String note : model.codeNotes()) err.println("kiln run: " + note);
        Tensor[] inputs = ModelFiles.readInputs(cl.all("--input"));
        long t2 = System.nanoTime();
        List<Tensor> outputs = Calls.forward(model, inputs);
        long t3 = System.nanoTime();
        if (timing) {
            // Measured from the JVM's own start time, so JVM boot and class loading of main are included.
            long sinceStart = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
            err.printf(Locale.ROOT, "timing: load %.1f ms, read inputs %.1f ms, first inference %.1f ms; "
                    + "JVM start to first result %d ms%n", (t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6,
                    sinceStart);
        }
        List<Path> written;
        try {
            written = OutputFiles.write(outDir, outputs);
        } catch (IOException e) {
            throw new CliFailure(ExitStatus.FAILED, "cannot write outputs to " + outDir + ": " + e);
        }
        for (int i = 0; i < written.size(); i++) {
            Tensor t = outputs.get(i);
            out.printf("%s  %s : %s%s%n", written.get(i), model.outputNames().get(i), t.dtype().irName(),
                    Arrays.toString(t.shape()));
        }
        return ExitStatus.OK;
    }
}
