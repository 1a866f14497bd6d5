package dev.kiln.passes;

import java.util.List;

/** Per-pass timing and counters of one pipeline run, in run order. */
public record PipelineReport(String pipeline, List<PassRun> runs) {
    public PipelineReport {
        runs = List.copyOf(runs);
    }

    /** One pass's run: its result and wall time. */
    public record PassRun(String pass, PassResult result, long nanos) {
    }

    /** The summed counter {@code name} of every run of {@code pass}. */
    public long count(String pass, String name) {
        return runs.stream().filter(r -> r.pass().equals(pass)).mapToLong(r -> r.result().count(name)).sum();
    }

    public boolean changed() { return runs.stream().anyMatch(r -> r.result().changed()); }

    /** A table, one line per pass: {@code  dce        0.120 ms  removed=3}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("pipeline ").append(pipeline).append('\n');
        int w = runs.stream().mapToInt(r -> r.pass().length()).max().orElse(4);
        for (PassRun r : runs) {
            sb.append(String.format("  %-" + w + "s %9.3f ms  %s%n", r.pass(), r.nanos() / 1e6, r.result()));
        }
        return sb.toString();
    }
}
