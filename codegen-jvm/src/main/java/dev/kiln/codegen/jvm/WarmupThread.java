package dev.kiln.codegen.jvm;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The one JVM-wide daemon thread ({@code kiln-vector-warmup}) that drives Vector API code into C2: the warm-ups of
 * generated vector loops ({@link VectorWarmup}) and of the GEMM/conv anchor kernels ({@link AnchorGate}) run on it
 * one after the other, in the order they were queued, so warming never takes more than one core.
 */
final class WarmupThread {
    private WarmupThread() {}

    private static final ExecutorService WARMER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "kiln-vector-warmup");
        t.setDaemon(true);
        return t;
    });

    /** Queues {@code task} behind the warm-ups already queued. */
    static void execute(Runnable task) { WARMER.execute(task); }
}
