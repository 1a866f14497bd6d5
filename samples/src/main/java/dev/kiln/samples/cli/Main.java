package dev.kiln.samples.cli;

import java.util.Arrays;

/**
 * Kiln's command line, started by the {@code ./kiln} launcher.
 *
 * <pre>
 *   ./kiln demo [--conformance DIR] [--threads N]   run every conformance case eagerly and compare with PyTorch
 *   ./kiln train linear-regression|mlp-classifier    train a small model eagerly with autograd
 *   ./kiln bench-eager [JMH options]                 JMH benchmark of eager latency per conformance case
 *   ./kiln bench-compiled [JMH options]              JMH: eager vs interpreter vs compiled class per case
 * </pre>
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help") || args[0].equals("help")) {
            usage();
            return;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "demo" -> System.exit(DemoCommand.run(rest));
            case "train" -> train(rest);
            case "bench-eager" -> org.openjdk.jmh.Main.main(withDefault(rest, "dev.kiln.samples.bench.EagerBench"));
            case "bench-compiled" -> org.openjdk.jmh.Main.main(withDefault(rest, "dev.kiln.samples.bench.CompiledBench"));
            default -> {
                System.err.println("kiln: unknown command '" + args[0] + "'");
                usage();
                System.exit(2);
            }
        }
    }

    private static void train(String[] args) {
        String which = args.length == 0 ? "" : args[0];
        switch (which) {
            case "linear-regression" -> dev.kiln.samples.train.LinearRegression.main(new String[0]);
            case "mlp-classifier" -> dev.kiln.samples.train.MlpClassifier.main(new String[0]);
            default -> {
                System.err.println("kiln train: expected 'linear-regression' or 'mlp-classifier', found '" + which
                        + "'");
                System.exit(2);
            }
        }
    }

    private static String[] withDefault(String[] args, String benchmark) {
        for (String a : args) if (!a.startsWith("-") && a.contains("Bench")) return args;
        String[] out = Arrays.copyOf(args, args.length + 1);
        out[args.length] = benchmark;
        return out;
    }

    private static void usage() {
        System.out.println("""
                usage: ./kiln <command> [options]

                commands:
                  demo [--conformance DIR] [--threads N]
                        Load every conformance case's PyTorch weights into its Java model, run both example
                        inputs eagerly and compare with PyTorch's outputs (default DIR: ../shared/conformance).
                  train linear-regression | train mlp-classifier
                        Train a small model eagerly (autograd, SGD/Adam), printing the loss as it goes.
                  bench-eager [JMH options]
                        JMH benchmark of eager forward latency for every conformance case
                        (e.g. ./kiln bench-eager -p threads=1,2).
                  bench-compiled [JMH options]
                        JMH benchmark of Kiln eager vs interpreter vs the compiled JVM class per case, at 1 and 2
                        threads, plus elementwise_chain at 256x65536 vs a plain array copy
                        (e.g. ./kiln bench-compiled -wi 1 -i 2 -w 1 -r 1).
                """);
    }
}
