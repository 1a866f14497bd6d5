package dev.kiln.samples.cli;

import dev.kiln.eager.Parallel;
import dev.kiln.eager.Tensor;
import dev.kiln.eager.autograd.GradMode;
import dev.kiln.eager.nn.Module;
import dev.kiln.samples.CaseJson;
import dev.kiln.samples.Comparison;
import dev.kiln.samples.ConformanceCase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * {@code ./kiln demo}: every conformance case, eagerly, against PyTorch's own outputs; then {@link ArchiveDemo}
 * (mynet traced, saved, loaded by the runtime, run on a new batch size). Exit status 0 when all match within the
 * case's tolerances.
 */
final class DemoCommand {
    /** Calls timed after the checked one; the median is shown (a rough figure: see ./kiln bench-eager). */
    private static final int TIMED_RUNS = 5;

    private DemoCommand() {}

    static int run(String[] args) {
        Path suite = ConformanceCase.defaultSuite();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--conformance" -> suite = Path.of(value(args, ++i, "--conformance"));
                case "--threads" -> Parallel.setNumThreads(Integer.parseInt(value(args, ++i, "--threads")));
                default -> throw new IllegalArgumentException("demo: unknown option '" + args[i]
                        + "' (expected --conformance DIR or --threads N)");
            }
        }
        if (!Files.isDirectory(suite)) {
            System.err.println("kiln demo: conformance suite not found at " + suite.toAbsolutePath()
                    + " (pass --conformance DIR)");
            return 2;
        }
        System.out.printf("Kiln eager vs PyTorch 1.13 on %s (%d threads)%n%n", suite, Parallel.numThreads());
        System.out.printf("%-20s %-6s %-18s %-12s %-10s %s%n", "case", "input", "shape", "max|diff|", "median ms", "result");
        int failures = 0;
        for (Path dir : ConformanceCase.caseDirs(suite)) {
            String name = dir.getFileName().toString();
            ConformanceCase c;
            try {
                c = ConformanceCase.byName(name);
            } catch (IllegalArgumentException e) {
                System.out.printf("%-20s skipped: no Java model for this case%n", name);
                continue;
            }
            CaseJson meta = CaseJson.read(dir);
            Module model;
            try {
                model = c.load(dir);
            } catch (RuntimeException e) {
                failures++;
                System.out.printf("%-20s ERROR loading weights: %s%n", name, e.getMessage());
                continue;
            }
            for (int k = 0; k < 2; k++) {
                List<Tensor> inputs = ConformanceCase.inputs(dir, k);
                if (inputs.isEmpty()) continue;
                String shape = Arrays.toString(inputs.get(0).shape()).replace(" ", "");
                try (var noGrad = GradMode.noGrad()) {
                    String problem = check(model, inputs, ConformanceCase.expectedOutputs(dir, k), meta);
                    if (problem.startsWith("MISMATCH")) failures++;
                    System.out.printf("%-20s %-6s %-18s %s%n", name, "input" + k, shape, problem);
                } catch (RuntimeException e) {
                    failures++;
                    System.out.printf("%-20s %-6s %-18s ERROR %s%n", name, "input" + k, shape, e.getMessage());
                }
            }
        }
        System.out.println();
        System.out.println(failures == 0 ? "all cases match PyTorch within tolerance" : failures + " mismatches");
        failures += ArchiveDemo.run(suite, System.out);
        return failures == 0 ? 0 : 1;
    }

    /** Runs the model, compares with PyTorch, then times a few more calls; returns the table's tail columns. */
    private static String check(Module model, List<Tensor> inputs, List<Tensor> expected, CaseJson meta) {
        List<Tensor> actual = ConformanceCase.run(model, inputs);
        double worst = 0;
        String problem = null;
        for (int o = 0; o < expected.size(); o++) {
            Comparison cmp = Comparison.of(actual.get(o), expected.get(o), meta.rtol(), meta.atol());
            worst = Math.max(worst, cmp.maxAbsDiff());
            if (!cmp.withinTolerance() && problem == null) problem = "output " + o + ": " + cmp.problem();
        }
        double[] times = new double[TIMED_RUNS];
        for (int i = 0; i < TIMED_RUNS; i++) {
            long t0 = System.nanoTime();
            ConformanceCase.run(model, inputs);
            times[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(times);
        return String.format("%-12.3g %-10.3f %s", worst, times[TIMED_RUNS / 2],
                problem == null ? "ok" : "MISMATCH " + problem);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) throw new IllegalArgumentException("demo: " + option + " needs a value");
        return args[i];
    }
}
