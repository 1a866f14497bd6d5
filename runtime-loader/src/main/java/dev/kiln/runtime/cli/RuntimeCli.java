package dev.kiln.runtime.cli;

import dev.kiln.eager.KilnException;
import java.io.PrintStream;
import java.util.Arrays;

/**
 * The runtime's command line: {@code run}, {@code inspect}, {@code bench} (and {@code help}). It needs nothing but
 * the runtime's own class path — no model class, no tracer — so it is the main class of
 * {@code kiln-runtime.jar}; {@code ./kiln} delegates these commands to it.
 *
 * <p>Exit statuses ({@link ExitStatus}): 0 ok, 2 bad usage, 3 an archive that cannot be loaded, 4 an input that
 * does not fit the model, 5 no CUDA device for {@code --device cuda}; for these the message on stderr says what and where, with no stack trace. Anything else
 * is status 1.
 */
public final class RuntimeCli {
    private final PrintStream out;
    private final PrintStream err;

    public RuntimeCli(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** Runs {@code args} ({@code <command> [options]}) and returns the exit status. */
    public int run(String... args) {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("-h") || args[0].equals("--help")) {
            out.print(usage());
            return args.length == 0 ? ExitStatus.USAGE : ExitStatus.OK;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        try {
            return switch (args[0]) {
                case "run" -> RunCommand.run(rest, out, err);
                case "inspect" -> InspectCommand.run(rest, out);
                case "bench" -> BenchCommand.run(rest, out);
                case "serve" -> ServeCommand.run(rest, out);
                default -> throw CliFailure.usage("unknown command '" + args[0] + "' (commands: run, inspect, bench, serve, "
                        + "help)");
            };
        } catch (CliFailure e) {
            boolean unknownCommand = e.getMessage().startsWith("unknown command");
            err.println((unknownCommand ? "kiln: " : "kiln " + args[0] + ": ") + e.getMessage());
            if (e.status() == ExitStatus.USAGE) err.println("(see: kiln help)");
            return e.status();
        } catch (KilnException e) {
            err.println("kiln " + args[0] + ": failed: " + e.getMessage());
            return ExitStatus.FAILED;
        } catch (RuntimeException | Error e) {
            err.println("kiln " + args[0] + ": unexpected failure:");
            e.printStackTrace(err);
            return ExitStatus.FAILED;
        }
    }

    /** The command summary. */
    public static String usage() {
        return """
                usage: kiln <command> [options]

                  run <file.kiln> --input <file.npy>... --out-dir <dir> [--backend NAME] [--device cpu|cuda]
                        [--regenerate-code] [--threads N] [--timing] [--verbose]
                        Run the model once on the inputs (in the signature's order) and write output0.npy,
                        output1.npy, ... to <dir>. Nothing is written when the run fails. --timing prints
                        load, first-inference and JVM-start-to-result times on stderr. Backends: interp, jvm
                        (the archive's verified class), ptx (its PTX with --device cuda, else its JVM code);
                        --regenerate-code ignores embedded code and generates it again from the archive's IR;
                        --verbose prints what the backend did with the archive's code on stderr.
                  inspect <file.kiln>
                        Metadata, signature, op counts, sizes, generated code and its verification, entries
                        and the graph text.
                  bench <file.kiln> --input <file.npy>... [--threads N] [--concurrency C] [--seconds S] [--warmup S]
                        [--backend NAME] [--device cpu|cuda] [--regenerate-code]
                        Warm up, then time calls from C caller threads (default 1) for S seconds (default 3);
                        --threads sets the kernels' intra-op threads. The last line is median_ms=<number>.
                  serve <file.kiln | folder>... [--host H] [--port P] [--max-batch [model=]N]
                        [--max-delay-us [model=]N] [--max-request-mb M] [--workers W] [--threads N]
                        Serve the archives over the Open Inference Protocol (KServe v2 REST), each under its
                        file name without .kiln (a folder: every .kiln in it). Binds 127.0.0.1:8000 by default;
                        dynamic batching up to 32 rows waiting 1000 us (--max-batch 1: off); W inference threads
                        (default: one per core), N intra-op threads (default 1). See docs/server.md.

                exit status: 0 ok, 2 bad usage, 3 archive cannot be loaded (including embedded code that fails
                verification), 4 input does not fit the model, 5 --device cuda without a CUDA device
                """;
    }
}
