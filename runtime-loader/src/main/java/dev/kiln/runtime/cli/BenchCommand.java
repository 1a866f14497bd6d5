package dev.kiln.runtime.cli;

import dev.kiln.eager.Parallel;
import dev.kiln.eager.Tensor;
import dev.kiln.runtime.LoadedModel;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code bench <file.kiln> --input <file.npy>... [--threads N] [--concurrency C] [--seconds S] [--warmup S]
 * [--backend NAME] [--device cpu|cuda] [--regenerate-code]}: loads the model, checks one call, warms up for {@code --warmup} seconds (default 1), then has
 * {@code C} caller threads (default 1) call it back to back for {@code --seconds} (default 3) and prints latency
 * percentiles and throughput. {@code --threads} is the intra-op thread count of the kernels, as elsewhere in Kiln.
 * The last line is exactly {@code median_ms=<number>}: the median latency of one call, in milliseconds.
 */
final class BenchCommand {
    private BenchCommand() {}

    static int run(String[] args, PrintStream out) {
        Set<String> options = new java.util.HashSet<>(Set.of("--input", "--threads", "--concurrency", "--seconds",
                "--warmup"));
        options.addAll(ModelFiles.LOAD_OPTIONS);
        CommandLine cl = CommandLine.parse(args, options, Set.of(ModelFiles.REGENERATE));
        String archive = cl.onlyPositional("archive (.kiln file)");
        if (cl.optional("--threads") != null) Parallel.setNumThreads(cl.positiveInt("--threads", 1));
        int callers = cl.positiveInt("--concurrency", 1);
        double seconds = cl.positiveSeconds("--seconds", 3);
        double warmup = cl.positiveSeconds("--warmup", 1);
        LoadedModel model = ModelFiles.load(archive, ModelFiles.loadOptions(cl));
        Tensor[] inputs = ModelFiles.readInputs(cl.all("--input"));
        Calls.forward(model, inputs); // a bad input fails here, before any timing, with exit status 4

        // Compiled code: wait (bounded) until its Vector API kernels are compiled, so the timing measures them and not
        // the warm-up (which runs on its own thread and core); then the usual warm-up calls.
        long w0 = System.nanoTime();
        boolean warm = model.awaitWarm(java.time.Duration.ofSeconds(30));
        double warmWait = (System.nanoTime() - w0) / 1e9;
        long warmupCalls = loop(model, inputs, 1, warmup, null);
        List<long[]> perCaller = new ArrayList<>();
        long t0 = System.nanoTime();
        long calls = loop(model, inputs, callers, seconds, perCaller);
        double elapsed = (System.nanoTime() - t0) / 1e9;

        double[] ms = perCaller.stream().flatMapToLong(Arrays::stream).mapToDouble(ns -> ns / 1e6).sorted().toArray();
        double mean = Arrays.stream(ms).average().orElse(Double.NaN);
        out.printf(Locale.ROOT, "model            %s (backend %s)%n", model.source(), model.backend());
        for (String note : model.codeNotes()) out.printf(Locale.ROOT, "code             %s%n", note);
        out.printf(Locale.ROOT, "inputs           %s%n", describe(model, inputs));
        out.printf(Locale.ROOT, "threads          %d intra-op, %d concurrent caller(s)%n", Parallel.numThreads(),
                callers);
        out.printf(Locale.ROOT, "warm-up          %d calls in %.2f s, after %.2f s waiting for compiled kernels (%s)%n",
                warmupCalls, warmup, warmWait, warm ? "warm" : "not warm after 30 s");
        out.printf(Locale.ROOT, "timed            %d calls in %.2f s (%.1f calls/s)%n", calls, elapsed,
                calls / elapsed);
        out.printf(Locale.ROOT, "latency ms       min %.4f  p10 %.4f  median %.4f  p90 %.4f  p99 %.4f  max %.4f  "
                + "mean %.4f%n", ms[0], pct(ms, 10), pct(ms, 50), pct(ms, 90), pct(ms, 99), ms[ms.length - 1], mean);
        out.printf(Locale.ROOT, "median_ms=%.4f%n", pct(ms, 50));
        return ExitStatus.OK;
    }

    /**
     * Calls the model from {@code callers} threads until {@code seconds} have passed (at least once per thread);
     * returns the number of calls, and adds each thread's per-call nanoseconds to {@code times} when non-null.
     */
    private static long loop(LoadedModel model, Tensor[] inputs, int callers, double seconds, List<long[]> times) {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        List<Thread> threads = new ArrayList<>();
        long[][] results = new long[callers][];
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        for (int c = 0; c < callers; c++) {
            int id = c;
            Thread t = new Thread(() -> {
                long[] buf = new long[1024];
                int n = 0;
                try {
                    do {
                        long s = System.nanoTime();
                        model.forward(inputs);
                        if (n == buf.length) buf = Arrays.copyOf(buf, n * 2);
                        buf[n++] = System.nanoTime() - s;
                    } while (System.nanoTime() < deadline);
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                }
                results[id] = Arrays.copyOf(buf, n);
            }, "kiln-bench-" + c);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliFailure(ExitStatus.FAILED, "bench: interrupted");
            }
        }
        if (failure.get() != null) throw failure.get();
        long total = 0;
        for (long[] r : results) {
            total += r.length;
            if (times != null) times.add(r);
        }
        return total;
    }

    /** The nearest-rank percentile of sorted {@code v}; the median of an even count is the mean of the middle two. */
    static double pct(double[] v, double p) {
        if (p == 50) return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        int rank = (int) Math.ceil(p / 100 * v.length);
        return v[Math.max(0, Math.min(v.length - 1, rank - 1))];
    }

    private static String describe(LoadedModel model, Tensor[] inputs) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < inputs.length; i++) {
            if (i > 0) sb.append(", ");
            sb.append(model.inputNames().get(i)).append(" = ").append(inputs[i].dtype().irName())
                    .append(Arrays.toString(inputs[i].shape()));
        }
        return sb.toString();
    }
}
