package dev.kiln.samples.peers;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;

/**
 * Renders {@link PeerReport}'s one Markdown table: a row per case × batch × threads × engine, with the median
 * latency (fastest engine of the group in bold), the ratio to the Kiln baseline of the group
 * ({@link Engine#BASELINE_PREFERENCE}: Kiln compiled once it exists, Kiln eager until then), JMH's
 * {@code gc.alloc.rate.norm} (bytes allocated on the Java heap per call), peak RSS of the engine's JVM fork, and
 * the correctness checks that concern the row. Failed checks are spelled out under the table.
 */
final class PeerTable {
    private PeerTable() {}

    static String render(PeerReport.Options o, Map<String, List<Verdict>> checks, Collection<RunResult> results) {
        Map<String, RunResult> byKey = new HashMap<>();
        for (RunResult r : results) {
            var p = r.getParams();
            byKey.put(key(p.getParam("caseName"), p.getParam("engine"), Integer.parseInt(p.getParam("batch")),
                    Integer.parseInt(p.getParam("threads"))), r);
        }
        boolean anyCompiled = o.engines.contains(Engine.BASELINE_PREFERENCE.get(0));
        String baselineName = anyCompiled ? "Kiln compiled" : "Kiln eager";
        StringBuilder sb = new StringBuilder();
        sb.append("| case | batch | threads | engine | median µs | × ").append(baselineName)
                .append(anyCompiled ? "" : " (no compiled yet)")
                .append(" | Java alloc B/call | peak RSS MiB | check |\n");
        sb.append("|---|---:|---:|---|---:|---:|---:|---:|---|\n");
        List<String> details = new ArrayList<>();
        for (String c : o.cases) {
            for (int batch : o.batches) {
                for (int threads : o.threads) {
                    Map<String, Double> median = new HashMap<>();
                    for (String e : o.engines) {
                        RunResult r = byKey.get(key(c, e, batch, threads));
                        if (r != null) median.put(e, r.getPrimaryResult().getStatistics().getPercentile(50));
                    }
                    Double base = null;
                    for (String b : Engine.BASELINE_PREFERENCE) {
                        if (median.containsKey(b)) {
                            base = median.get(b);
                            break;
                        }
                    }
                    double fastest = median.values().stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
                    for (String e : o.engines) {
                        RunResult r = byKey.get(key(c, e, batch, threads));
                        String check = checkCell(checks.get(c + "/" + e), batch);
                        sb.append("| ").append(c).append(" | ").append(batch).append(" | ").append(threads)
                                .append(" | ").append(e).append(" | ");
                        if (r == null) {
                            sb.append("— | — | — | — | ").append(check).append("; run failed (see jmh.log) |\n");
                            continue;
                        }
                        double m = median.get(e);
                        String ms = PeerReport.fmt(m, m < 10 ? 2 : 1);
                        sb.append(m == fastest ? "**" + ms + "**" : ms).append(" | ")
                                .append(base == null ? "—" : PeerReport.fmt(m / base, 2) + "×").append(" | ")
                                .append(PeerReport.fmt(PeerReport.secondary(r, "gc.alloc.rate.norm"), 0)).append(" | ")
                                .append(PeerReport.fmt(PeerReport.secondary(r, "rss.peak"), 0)).append(" | ")
                                .append(check).append(" |\n");
                    }
                }
            }
            for (String e : o.engines) {
                List<Verdict> vs = checks.get(c + "/" + e);
                if (vs == null) continue;
                for (Verdict v : vs) {
                    if (!v.ok()) details.add("- " + c + ", " + e + ", " + v.input() + ": " + v.status() + " — " + v.detail());
                }
            }
        }
        sb.append("\nEngines: ");
        List<String> labels = new ArrayList<>();
        for (String e : o.engines) labels.add("`" + e + "` = " + Engine.byId(e).label());
        sb.append(String.join("; ", labels)).append(".\n");
        if (!details.isEmpty()) {
            sb.append("\nChecks that did not pass (input0/input1 against PyTorch's fixtures, batch N against Kiln eager"
                    + " on the same batch):\n\n");
            details.forEach(d -> sb.append(d).append('\n'));
        }
        return sb.toString();
    }

    /** The checks that concern one row: both fixture examples and the row's batch. */
    private static String checkCell(List<Verdict> verdicts, int batch) {
        if (verdicts == null) return "not checked";
        List<String> bad = new ArrayList<>();
        for (Verdict v : verdicts) {
            boolean concerns = v.input().startsWith("input") || v.input().equals("batch " + batch);
            if (concerns && !v.ok()) bad.add(v.cell());
        }
        return bad.isEmpty() ? "ok" : String.join(", ", bad);
    }

    private static String key(String c, String e, int batch, int threads) {
        return c + "/" + e + "/" + batch + "/" + threads;
    }
}
