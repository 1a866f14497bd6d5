package dev.kiln.samples.cli;

import dev.kiln.eager.Parallel;
import dev.kiln.eager.Tensor;
import dev.kiln.eager.nn.Module;
import dev.kiln.samples.CaseJson;
import dev.kiln.samples.Comparison;
import dev.kiln.samples.ConformanceCase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * {@code ./kiln demo}: every conformance case, eagerly, against PyTorch's own outputs. Exit status 0 when all
 * match within the case's tolerances.
 */
final class DemoCommand {
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
        System.out.printf("%-20s %-6s %-18s %-12s %-10s %s%n", "case", "input", "shape", "max|diff|", "ms", "result");
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
            Module model = c.load(dir);
            for (int k = 0; k < 2; k++) {
                List<Tensor> inputs = ConformanceCase.inputs(dir, k);
                if (inputs.isEmpty()) continue;
                List<Tensor> expected = ConformanceCase.expectedOutputs(dir, k);
                long t0 = System.nanoTime();
                List<Tensor> actual = ConformanceCase.run(model, inputs);
                double ms = (System.nanoTime() - t0) / 1e6;
                double worst = 0;
                String problem = null;
                for (int o = 0; o < expected.size(); o++) {
                    Comparison cmp = Comparison.of(actual.get(o), expected.get(o), meta.rtol(), meta.atol());
                    worst = Math.max(worst, cmp.maxAbsDiff());
                    if (!cmp.withinTolerance() && problem == null) problem = "output " + o + ": " + cmp.problem();
                }
                if (problem != null) failures++;
                System.out.printf("%-20s %-6s %-18s %-12.3g %-10.3f %s%n", name, "input" + k,
                        Arrays.toString(inputs.get(0).shape()).replace(" ", ""), worst, ms,
                        problem == null ? "ok" : "MISMATCH " + problem);
            }
        }
        System.out.println();
        System.out.println(failures == 0 ? "all cases match PyTorch within tolerance" : failures + " mismatches");
        return failures == 0 ? 0 : 1;
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) throw new IllegalArgumentException("demo: " + option + " needs a value");
        return args[i];
    }
}
