package dev.kiln.runtime.server;

import java.util.Map;

/**
 * How a server runs: the address it binds, the largest request body it accepts (larger ones get 413), the
 * inference threads, and the batching policy per model ({@code batching} for models not in {@code perModel}).
 */
public record ServerOptions(String host, int port, int maxRequestBytes, int inferenceThreads, BatchPolicy batching,
                            Map<String, BatchPolicy> perModel) {
    public ServerOptions {
        perModel = Map.copyOf(perModel);
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0..65535, found " + port);
        if (maxRequestBytes < 1024) throw new IllegalArgumentException("max request size must be >= 1024 bytes");
        if (inferenceThreads < 1) throw new IllegalArgumentException("inference threads must be >= 1");
    }

    /** Loopback, port 8000, 64 MiB requests, one inference thread per core, batches of up to 32 waiting 1 ms. */
    public static ServerOptions defaults() {
        return new ServerOptions("127.0.0.1", 8000, 64 << 20, Runtime.getRuntime().availableProcessors(),
                new BatchPolicy(32, 1000), Map.of());
    }

    public ServerOptions withAddress(String host, int port) {
        return new ServerOptions(host, port, maxRequestBytes, inferenceThreads, batching, perModel);
    }

    /** These options with batching of at most {@code maxBatch} rows waiting {@code maxDelayMicros} (1 = off). */
    public ServerOptions withBatching(int maxBatch, long maxDelayMicros) {
        return new ServerOptions(host, port, maxRequestBytes, inferenceThreads, new BatchPolicy(maxBatch, maxDelayMicros),
                perModel);
    }

    /** These options with model {@code name}'s own batching policy. */
    public ServerOptions withModelBatching(String name, int maxBatch, long maxDelayMicros) {
        var m = new java.util.HashMap<>(perModel);
        m.put(name, new BatchPolicy(maxBatch, maxDelayMicros));
        return new ServerOptions(host, port, maxRequestBytes, inferenceThreads, batching, m);
    }

    /** These options with {@code threads} inference threads (model calls and batches running at once). */
    public ServerOptions withInferenceThreads(int threads) {
        return new ServerOptions(host, port, maxRequestBytes, threads, batching, perModel);
    }

    public ServerOptions withMaxRequestBytes(int bytes) {
        return new ServerOptions(host, port, bytes, inferenceThreads, batching, perModel);
    }

    /** The batching policy of model {@code model}. */
    public BatchPolicy policy(String model) { return perModel.getOrDefault(model, batching); }
}
