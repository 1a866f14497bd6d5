package dev.kiln.samples.peers;

import dev.kiln.samples.ConformanceCase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * {@code ./kiln bench-peers}: checks every engine against PyTorch's fixtures, runs {@link PeerBench} (one JVM fork
 * per case × engine × batch × threads, with JMH's GC profiler and {@link PeakRssProfiler}) and prints one Markdown
 * table: median latency, ratio to Kiln, Java bytes allocated per call, peak resident memory and the check result.
 *
 * <pre>
 * options: --cases a,b   --engines kiln-eager,ort   --batches 1,32   --threads 1,2
 *          --warmup N --iterations N --iteration-ms MS   (JMH: defaults 3, 5, 300)
 *          --out FILE   (also write the table there; default samples/target/peers/peers.md under KILN_HOME)
 * </pre>
 */
public final class PeerReport {
    private static final List<String> ALL_CASES = List.of("mlp", "mynet", "lenet_bn", "elementwise_chain",
            "transformer_block", "resnet_block", "control_flow", "embedding_lstm_like");

    private PeerReport() {}

    public static void main(String[] args) throws RunnerException, IOException {
        Options o = Options.parse(args);
        Path home = Path.of(System.getenv().getOrDefault("KILN_HOME", "")).toAbsolutePath();
        Path djlCache = Path.of(System.getProperty("DJL_CACHE_DIR",
                System.getenv().getOrDefault("DJL_CACHE_DIR", home.resolve("samples/target/djl").toString())));
        // DJL must never reach the network: offline, and its native cache inside the ignored build output.
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("DJL_CACHE_DIR", djlCache.toString());
        Path suite = ConformanceCase.defaultSuite().toAbsolutePath();
        System.setProperty("kiln.conformance.dir", suite.toString());
        Path out = o.out != null ? o.out : home.resolve("samples/target/peers/peers.md");
        Files.createDirectories(out.getParent());

        System.err.printf("bench-peers: suite %s, DJL cache %s%n", suite, djlCache);
        Map<String, List<Verdict>> checks = new LinkedHashMap<>();
        for (String c : o.cases) {
            PeerCase pc = PeerCase.named(c);
            for (String e : o.engines) {
                List<Verdict> v = PeerChecks.run(pc, Engine.byId(e), o.batches);
                checks.put(c + "/" + e, v);
                System.err.printf("check %-20s %-12s %s%n", c, e, summary(v));
            }
        }

        Path log = out.resolveSibling("jmh.log");
        int forks = o.cases.size() * o.engines.size() * o.batches.size() * o.threads.size();
        System.err.printf("bench-peers: JMH, %d forks (log: %s)%n", forks, log);
        ChainedOptionsBuilder jmh = new OptionsBuilder()
                .include(PeerBench.class.getName() + ".forward")
                .param("caseName", o.cases.toArray(String[]::new))
                .param("engine", o.engines.toArray(String[]::new))
                .param("batch", o.batches.stream().map(String::valueOf).toArray(String[]::new))
                .param("threads", o.threads.stream().map(String::valueOf).toArray(String[]::new))
                .warmupIterations(o.warmup).warmupTime(TimeValue.milliseconds(o.iterationMs))
                .measurementIterations(o.iterations).measurementTime(TimeValue.milliseconds(o.iterationMs))
                .forks(1)
                // --add-modules: the Vector API for Kiln compiled's vector loops (docs/codegen-jvm.md); peers ignore it
                .jvmArgsAppend("--add-modules", "jdk.incubator.vector", "-Xmx1g", "-Dai.djl.offline=true",
                        "-DDJL_CACHE_DIR=" + djlCache, "-Dslf4j.internal.verbosity=ERROR",
                        "-Dkiln.conformance.dir=" + suite)
                .addProfiler(GCProfiler.class)
                .addProfiler(PeakRssProfiler.class)
                .shouldFailOnError(false)
                .output(log.toString());
        Collection<RunResult> results = new Runner(jmh.build()).run();

        String table = PeerTable.render(o, checks, results);
        System.out.println(table);
        Files.writeString(out, table);
        System.err.println("bench-peers: table written to " + out);
    }

    private static String summary(List<Verdict> verdicts) {
        List<String> parts = new ArrayList<>();
        for (Verdict v : verdicts) {
            parts.add(v.input() + " " + (v.ok() ? "ok" : v.status() + " (" + v.detail() + ")"));
        }
        return String.join(", ", parts);
    }

    /** Command-line options; see the class comment. */
    static final class Options {
        List<String> cases = ALL_CASES;
        List<String> engines = Arrays.stream(Engine.values()).map(Engine::id).toList();
        List<Integer> batches = List.of(1, 32);
        List<Integer> threads = List.of(1, 2);
        int warmup = 3;
        int iterations = 5;
        int iterationMs = 300;
        Path out;

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String v = i + 1 < args.length ? args[i + 1] : null;
                if (v == null) throw new IllegalArgumentException("bench-peers: " + args[i] + " needs a value");
                switch (args[i]) {
                    case "--cases" -> o.cases = List.of(v.split(","));
                    case "--engines" -> {
                        o.engines = List.of(v.split(","));
                        o.engines.forEach(Engine::byId);
                    }
                    case "--batches" -> o.batches = ints(v);
                    case "--threads" -> o.threads = ints(v);
                    case "--warmup" -> o.warmup = Integer.parseInt(v);
                    case "--iterations" -> o.iterations = Integer.parseInt(v);
                    case "--iteration-ms" -> o.iterationMs = Integer.parseInt(v);
                    case "--out" -> o.out = Path.of(v).toAbsolutePath();
                    default -> throw new IllegalArgumentException("bench-peers: unknown option '" + args[i]
                            + "' (expected --cases, --engines, --batches, --threads, --warmup, --iterations, "
                            + "--iteration-ms, --out)");
                }
                i++;
            }
            return o;
        }

        private static List<Integer> ints(String csv) {
            return Arrays.stream(csv.split(",")).map(String::trim).map(Integer::valueOf).toList();
        }
    }

    /** Formats a number with a fixed number of significant-looking decimals for the table. */
    static String fmt(double v, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /** A secondary result by label, or NaN. */
    static double secondary(RunResult r, String label) {
        Result<?> res = r.getSecondaryResults().get(label);
        return res == null ? Double.NaN : res.getScore();
    }
}
