package dev.kiln.runtime.server;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server's Prometheus metrics, rendered in the text exposition format (version 0.0.4) by {@link #render()}:
 * inference requests and failures per model, an inference latency histogram, a histogram of the batch sizes the
 * model actually ran, and the number of requests queued for batching. All updates are lock-free.
 */
final class ServerMetrics {
    /** Latency bucket upper bounds in seconds. */
    private static final double[] LATENCY_BOUNDS = {
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    /** Batch-size bucket upper bounds (requests per model run). */
    private static final double[] BATCH_BOUNDS = {1, 2, 4, 8, 16, 32, 64, 128};

    private final Map<String, PerModel> models = new ConcurrentHashMap<>();

    /** The metrics of {@code model}, created on first use. */
    PerModel model(String model) { return models.computeIfAbsent(model, k -> new PerModel()); }

    /** Counters of one model. */
    static final class PerModel {
        final LongAdder requests = new LongAdder();
        final LongAdder failures = new LongAdder();
        final Histogram latency = new Histogram(LATENCY_BOUNDS);
        final Histogram batchSize = new Histogram(BATCH_BOUNDS);
        final AtomicInteger queueDepth = new AtomicInteger();
    }

    /** A cumulative Prometheus histogram. */
    static final class Histogram {
        private final double[] bounds;
        private final AtomicLongArray counts;
        private final DoubleAdder sum = new DoubleAdder();
        private final LongAdder count = new LongAdder();

        Histogram(double[] bounds) {
            this.bounds = bounds;
            this.counts = new AtomicLongArray(bounds.length);
        }

        void observe(double v) {
            for (int i = 0; i < bounds.length; i++) {
                if (v <= bounds[i]) {
                    counts.incrementAndGet(i);
                    break;
                }
            }
            sum.add(v);
            count.increment();
        }

        void render(StringBuilder sb, String name, String model) {
            long cumulative = 0;
            for (int i = 0; i < bounds.length; i++) {
                cumulative += counts.get(i);
                sb.append(name).append("_bucket{model=\"").append(model).append("\",le=\"").append(bound(bounds[i]))
                        .append("\"} ").append(cumulative).append('\n');
            }
            long total = count.sum();
            sb.append(name).append("_bucket{model=\"").append(model).append("\",le=\"+Inf\"} ").append(total)
                    .append('\n');
            sb.append(name).append("_sum{model=\"").append(model).append("\"} ").append(sum.sum()).append('\n');
            sb.append(name).append("_count{model=\"").append(model).append("\"} ").append(total).append('\n');
        }

        private static String bound(double b) { return b == Math.rint(b) ? Long.toString((long) b) : Double.toString(b); }
    }

    /** The exposition text of every metric. */
    String render() {
        StringBuilder sb = new StringBuilder();
        var names = new java.util.TreeSet<>(models.keySet());
        sb.append("# HELP kiln_inference_requests_total Inference requests received, per model.\n");
        sb.append("# TYPE kiln_inference_requests_total counter\n");
        for (String m : names) line(sb, "kiln_inference_requests_total", m, models.get(m).requests.sum());
        sb.append("# HELP kiln_inference_failures_total Inference requests answered with an error, per model.\n");
        sb.append("# TYPE kiln_inference_failures_total counter\n");
        for (String m : names) line(sb, "kiln_inference_failures_total", m, models.get(m).failures.sum());
        sb.append("# HELP kiln_inference_latency_seconds Time from a request's arrival to its answer.\n");
        sb.append("# TYPE kiln_inference_latency_seconds histogram\n");
        for (String m : names) models.get(m).latency.render(sb, "kiln_inference_latency_seconds", m);
        sb.append("# HELP kiln_batch_size Requests joined into one model run.\n");
        sb.append("# TYPE kiln_batch_size histogram\n");
        for (String m : names) models.get(m).batchSize.render(sb, "kiln_batch_size", m);
        sb.append("# HELP kiln_queue_depth Requests waiting to be batched or run, per model.\n");
        sb.append("# TYPE kiln_queue_depth gauge\n");
        for (String m : names) line(sb, "kiln_queue_depth", m, models.get(m).queueDepth.get());
        return sb.toString();
    }

    private static void line(StringBuilder sb, String name, String model, long value) {
        sb.append(name).append("{model=\"").append(model).append("\"} ").append(value).append('\n');
    }
}
