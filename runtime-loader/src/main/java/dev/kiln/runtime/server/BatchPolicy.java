package dev.kiln.runtime.server;

/**
 * How one model's requests are batched: at most {@code maxBatch} rows (batch-dimension entries) per model run, and
 * a request waits at most {@code maxDelayMicros} for others to join it. {@code maxBatch == 1} turns batching off.
 */
public record BatchPolicy(int maxBatch, long maxDelayMicros) {
    public BatchPolicy {
        if (maxBatch < 1) throw new IllegalArgumentException("max batch must be >= 1, found " + maxBatch);
        if (maxDelayMicros < 0) throw new IllegalArgumentException("max delay must be >= 0, found " + maxDelayMicros);
    }

    public static final BatchPolicy OFF = new BatchPolicy(1, 0);

    public boolean enabled() { return maxBatch > 1; }
}
