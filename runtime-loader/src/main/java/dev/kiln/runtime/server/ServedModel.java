package dev.kiln.runtime.server;

import dev.kiln.eager.Tensor;
import dev.kiln.runtime.LoadedModel;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;

/**
 * One model the server serves: its name, its loaded archive and how its calls run — through a
 * {@link DynamicBatcher} when its policy enables batching and its signature allows it, else one call per request
 * on the inference executor. Archives have a single version, {@value #VERSION}.
 */
final class ServedModel {
    static final String VERSION = "1";

    private final String name;
    private final LoadedModel model;
    private final ExecutorService executor;
    private final ServerMetrics.PerModel metrics;
    private final DynamicBatcher batcher;
    /** Null when batched; else why not, for the log and docs. */
    private final String whyNotBatched;

    ServedModel(String name, LoadedModel model, BatchPolicy policy, ExecutorService executor, int workers,
                ServerMetrics metrics) {
        this.name = name;
        this.model = model;
        this.executor = executor;
        this.metrics = metrics.model(name);
        this.whyNotBatched = !policy.enabled() ? "batching is off"
                : DynamicBatcher.whyNot(model).map(w -> "not batchable: " + w).orElse(null);
        this.batcher = whyNotBatched == null
                ? new DynamicBatcher(name, model, policy, executor, workers, this.metrics) : null;
    }

    String name() { return name; }

    LoadedModel model() { return model; }

    ServerMetrics.PerModel metrics() { return metrics; }

    boolean batched() { return batcher != null; }

    String whyNotBatched() { return whyNotBatched; }

    /** Runs one request's inputs (checked against the signature) off the caller's thread. */
    CompletableFuture<Map<String, Tensor>> infer(Map<String, Tensor> inputs) {
        if (batcher != null) return batcher.submit(inputs);
        metrics.queueDepth.incrementAndGet();
        return CompletableFuture.supplyAsync(() -> {
            metrics.queueDepth.decrementAndGet();
            metrics.batchSize.observe(1);
            return model.run(inputs);
        }, executor);
    }

    /** Stops the batcher's collector (queued requests still run). */
    void stop() {
        if (batcher != null) batcher.stop();
    }
}
