package dev.kiln.runtime.server;

import dev.kiln.eager.Tensor;
import dev.kiln.runtime.LoadedModel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Joins concurrent requests to one model along dimension 0, runs the model once on the joined inputs and splits
 * the outputs back, row ranges in request order.
 *
 * <p>One collector thread takes the oldest request, then waits up to the policy's delay for more whose non-batch
 * sizes equal its own, until the batch holds {@code maxBatch} rows; the batch runs on the shared inference
 * executor, so the collector is already gathering the next batch — but it starts a batch only when a worker is
 * free (see {@link #slots}), so under load batches grow instead of queueing up. Only models whose inputs and outputs all start
 * with the same size symbol, used nowhere else, in a graph that keeps rows apart (see {@link #whyNot}), get a
 * batcher: for them row {@code i} of
 * every output depends only on row {@code i} of the inputs, which is what makes splitting exact.
 *
 * <p>A request whose inputs disagree on their row count runs alone, so the model's own check reports it; if a
 * joined run fails, each of its requests runs alone, so one bad request never fails another.
 */
final class DynamicBatcher {
    private final LoadedModel model;
    private final BatchPolicy policy;
    private final ExecutorService executor;
    private final ServerMetrics.PerModel metrics;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    /** Requests taken from the queue that did not fit the last batch; only the collector thread touches it. */
    private final ArrayDeque<Pending> carried = new ArrayDeque<>();
    private final Thread collector;
    /**
     * Batch runs of this model that may be under way at once (the executor's thread count). The collector takes a
     * permit before it starts a batch, so while every worker is busy requests wait in the queue, where they can
     * still join, rather than as many small batches in the executor's queue.
     */
    private final Semaphore slots;
    private volatile boolean stopped;

    /** A queued request. {@code key} is its non-batch sizes; only requests with equal keys join. */
    private record Pending(Map<String, Tensor> inputs, long rows, String key,
                           CompletableFuture<Map<String, Tensor>> result) {}

    DynamicBatcher(String name, LoadedModel model, BatchPolicy policy, ExecutorService executor, int workers,
                   ServerMetrics.PerModel metrics) {
        this.slots = new Semaphore(workers);
        this.model = model;
        this.policy = policy;
        this.executor = executor;
        this.metrics = metrics;
        this.collector = new Thread(this::collect, "kiln-batcher-" + name);
        collector.setDaemon(true);
        collector.start();
    }

    /**
     * Why {@code model} cannot be batched, or empty when it can: every input and output starts with one symbol
     * used nowhere else in the signature, and the graph keeps rows apart ({@link RowIndependence}).
     */
    static java.util.Optional<String> whyNot(LoadedModel model) {
        var ports = new ArrayList<>(model.signature().inputs());
        ports.addAll(model.signature().outputs());
        String symbol = null;
        for (var p : ports) {
            var dims = p.type().shape().dims();
            if (dims.isEmpty() || dims.get(0).isConstant() || dims.get(0).symbols().size() != 1) {
                return java.util.Optional.of("'" + p.name() + "' : " + p.type() + " has no symbolic dim 0");
            }
            String s = dims.get(0).symbols().iterator().next();
            if (!dims.get(0).equals(dev.kiln.ir.sym.SymExpr.symbol(s)) || (symbol != null && !symbol.equals(s))) {
                return java.util.Optional.of("dim 0 of '" + p.name() + "' : " + p.type() + " is not the batch symbol");
            }
            symbol = s;
            for (int d = 1; d < dims.size(); d++) {
                if (dims.get(d).symbols().contains(s)) {
                    return java.util.Optional.of("'" + p.name() + "' : " + p.type() + " uses " + s + " beyond dim 0");
                }
            }
        }
        if (symbol == null) return java.util.Optional.of("no inputs or outputs");
        return RowIndependence.check(model.graph(), symbol);
    }

    /** Queues one request (inputs already checked against the signature); completes with its outputs. */
    CompletableFuture<Map<String, Tensor>> submit(Map<String, Tensor> inputs) {
        CompletableFuture<Map<String, Tensor>> result = new CompletableFuture<>();
        long rows = -1;
        StringBuilder key = new StringBuilder();
        for (Tensor t : inputs.values()) {
            long[] shape = t.shape();
            if (rows < 0) rows = shape[0];
            if (shape[0] != rows) rows = Long.MAX_VALUE; // inconsistent: never joined, see below
            key.append(Arrays.toString(Arrays.copyOfRange(shape, 1, shape.length)));
        }
        metrics.queueDepth.incrementAndGet();
        Pending p = new Pending(inputs, rows, key.toString(), result);
        if (rows == Long.MAX_VALUE || rows >= policy.maxBatch() || stopped) {
            executor.execute(() -> runAlone(p));
        } else {
            queue.add(p);
        }
        return result;
    }

    /** Stops the collector once every queued request has been handed to the executor. */
    void stop() {
        stopped = true;
        collector.interrupt();
    }

    private void collect() {
        try {
            while (!(stopped && queue.isEmpty() && carried.isEmpty())) {
                if (!slots.tryAcquire(50, TimeUnit.MILLISECONDS)) continue;
                Pending first = carried.isEmpty() ? queue.poll(50, TimeUnit.MILLISECONDS) : carried.poll();
                if (first == null) {
                    slots.release();
                    continue;
                }
                List<Pending> batch = new ArrayList<>();
                batch.add(first);
                long rows = first.rows;
                long deadline = System.nanoTime() + policy.maxDelayMicros() * 1000;
                // Carried requests first (they are older), then new arrivals until the deadline.
                for (int n = carried.size(); n > 0 && rows < policy.maxBatch(); n--) {
                    Pending p = carried.poll();
                    if (fits(first, p, rows)) {
                        batch.add(p);
                        rows += p.rows;
                    } else {
                        carried.add(p);
                    }
                }
                while (rows < policy.maxBatch() && !stopped) {
                    long wait = deadline - System.nanoTime();
                    Pending p = wait <= 0 ? queue.poll() : queue.poll(wait, TimeUnit.NANOSECONDS);
                    if (p == null) break;
                    if (fits(first, p, rows)) {
                        batch.add(p);
                        rows += p.rows;
                    } else {
                        carried.add(p);
                    }
                }
                executor.execute(() -> {
                    try {
                        runBatch(batch);
                    } finally {
                        slots.release();
                    }
                });
            }
        } catch (InterruptedException e) {
            // stop(): drain whatever is left straight to the executor, one by one.
        }
        carried.addAll(queue);
        queue.clear();
        for (Pending p : carried) executor.execute(() -> runAlone(p));
        carried.clear();
    }

    private boolean fits(Pending first, Pending p, long rows) {
        return p.key.equals(first.key) && rows + p.rows <= policy.maxBatch();
    }

    private void runBatch(List<Pending> batch) {
        metrics.queueDepth.addAndGet(-batch.size());
        if (batch.size() == 1) {
            metrics.batchSize.observe(1);
            run(batch.get(0));
            return;
        }
        Map<String, Tensor> joined = new LinkedHashMap<>();
        for (String name : batch.get(0).inputs.keySet()) {
            List<Tensor> parts = new ArrayList<>(batch.size());
            for (Pending p : batch) parts.add(p.inputs.get(name));
            joined.put(name, Tensor.cat(parts, 0));
        }
        Map<String, Tensor> out;
        try {
            out = model.run(joined);
        } catch (RuntimeException e) {
            for (Pending p : batch) runAlone(p, false);
            return;
        }
        metrics.batchSize.observe(batch.size());
        long start = 0;
        for (Pending p : batch) {
            Map<String, Tensor> mine = new LinkedHashMap<>();
            for (var e : out.entrySet()) mine.put(e.getKey(), e.getValue().narrow(0, start, p.rows).contiguous());
            start += p.rows;
            p.result.complete(mine);
        }
    }

    private void runAlone(Pending p) { runAlone(p, true); }

    private void runAlone(Pending p, boolean dequeue) {
        if (dequeue) metrics.queueDepth.decrementAndGet();
        metrics.batchSize.observe(1);
        run(p);
    }

    private void run(Pending p) {
        try {
            p.result.complete(model.run(p.inputs));
        } catch (RuntimeException | Error e) {
            p.result.completeExceptionally(e);
        }
    }
}
