package dev.kiln.samples.peers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * JMH profiler reporting {@code rss.peak}: the benchmark JVM's peak resident set ({@code VmHWM} in
 * {@code /proc/self/status}, MiB) after each iteration, aggregated as the maximum. It runs inside the forked JVM,
 * which measures one engine on one case, so the figure is that engine's peak including the JVM and JMH itself
 * (and the heap the JVM chose to touch). Linux only; elsewhere it reports nothing.
 */
public final class PeakRssProfiler implements InternalProfiler {
    private static final Path STATUS = Path.of("/proc/self/status");

    @Override
    public String getDescription() { return "peak resident set size of the benchmark JVM (VmHWM)"; }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {}

    @Override
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
                                                       IterationResult result) {
        long kib = vmHwmKib();
        if (kib < 0) return List.of();
        return List.of(new ScalarResult("rss.peak", kib / 1024.0, "MiB", AggregationPolicy.MAX));
    }

    /** VmHWM in KiB, or -1 when /proc is not there. */
    static long vmHwmKib() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
