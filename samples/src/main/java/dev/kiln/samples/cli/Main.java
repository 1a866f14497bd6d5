package dev.kiln.samples.cli;

import dev.kiln.runtime.cli.RuntimeCli;
import java.util.Arrays;

/**
 * Kiln's command line, started by the {@code ./kiln} launcher.
 *
 * <pre>
 *   ./kiln demo [--conformance DIR] [--threads N]   every case eagerly vs PyTorch, then mynet traced, saved, loaded
 *   ./kiln trace CASE --weights DIR --out FILE.kiln  trace a conformance case's Java model into an archive
 *   ./kiln run | inspect | bench | serve FILE.kiln ... the runtime's commands (dev.kiln.runtime.cli.RuntimeCli)
 *   ./kiln train linear-regression|mlp-classifier    train a small model eagerly with autograd
 *   ./kiln bench-eager [JMH options]                 JMH benchmark of eager latency per conformance case
 *   ./kiln bench-peers [options]                     Kiln vs ONNX Runtime and libtorch, one table (profile peers)
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
            case "trace" -> System.exit(TraceCommand.run(rest, System.out, System.err));
            // The runtime's own CLI, exactly as kiln-runtime.jar runs it (no model class needed).
            case "run", "inspect", "bench", "serve" -> System.exit(new RuntimeCli(System.out, System.err).run(args));
            case "train" -> train(rest);
            case "bench-eager" -> org.openjdk.jmh.Main.main(withDefault(rest, "dev.kiln.samples.bench.EagerBench"));
            case "bench-peers" -> benchPeers(rest);
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

    /**
     * The peer benchmark is compiled only in the Maven profile {@code peers} (its dependencies must stay out of the
     * default build), so it is reached by name; the launcher builds it on demand.
     */
    private static void benchPeers(String[] args) throws Exception {
        Class<?> report;
        try {
            report = Class.forName("dev.kiln.samples.peers.PeerReport");
        } catch (ClassNotFoundException e) {
            System.err.println("kiln bench-peers: this build has no peer benchmark; run it through ./kiln bench-peers"
                    + " (which builds with: mvn -B -Ppeers -DskipTests package)");
            System.exit(2);
            return;
        }
        report.getMethod("main", String[].class).invoke(null, (Object) args);
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
                        inputs eagerly and compare with PyTorch's outputs (default DIR: ../shared/conformance);
                        then trace mynet, save it as an archive, load it in the runtime and run it on a batch
                        size the trace never saw.
                  trace <case> --weights <dir> [--example <file.npy>]... --out <file.kiln>
                        [--backend jvm|ptx|interp]
                        Trace the Java version of a conformance case with its weights and save the archive
                        (inputs/outputs named as in its case.json). jvm (default): with the optimised graph and
                        its generated class; ptx: with the PTX kernels too; interp: the traced graph only.
                  run <file.kiln> --input <file.npy>... --out-dir <dir> [--backend NAME] [--device cpu|cuda]
                        [--regenerate-code] [--threads N]
                        Run an archive once; writes output0.npy, output1.npy, ... (nothing on failure).
                        Embedded classes run only after the allow-list scan; --device cuda runs the PTX.
                  inspect <file.kiln>
                        Metadata, signature, op counts, sizes, generated code and its verification, graph text.
                  bench <file.kiln> --input <file.npy>... [--threads N] [--concurrency C] [--seconds S]
                        Time an archive's calls; the last line is median_ms=<number>.
                  (run, inspect and bench are also `java -jar runtime-loader/target/kiln-runtime.jar ...`;
                   exit status: 0 ok, 2 bad usage, 3 archive cannot be loaded, 4 input does not fit the model,
                   5 --device cuda without a CUDA device)
                  train linear-regression | train mlp-classifier
                        Train a small model eagerly (autograd, SGD/Adam), printing the loss as it goes.
                  bench-eager [JMH options]
                        JMH benchmark of eager forward latency for every conformance case
                        (e.g. ./kiln bench-eager -p threads=1,2).
                  bench-peers [--cases a,b] [--engines kiln-eager,kiln-interp,ort,libtorch] [--batches 1,32]
                              [--threads 1,2] [--warmup N] [--iterations N] [--iteration-ms MS] [--out FILE]
                        Check every engine against PyTorch's fixtures, then benchmark Kiln side by side with
                        ONNX Runtime and libtorch (DJL) and print one table (builds with -Ppeers on demand).
                  bench-compiled [JMH options]
                        JMH benchmark of Kiln eager vs interpreter vs the compiled JVM class per case, at 1 and 2
                        threads, plus elementwise_chain at 256x65536 vs a plain array copy
                        (e.g. ./kiln bench-compiled -wi 1 -i 2 -w 1 -r 1).
                """);
    }
}
