package dev.kiln.codegen.jvm;

import dev.kiln.codegen.jvm.vector.VectorProfilePrimer;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The one JVM-wide daemon thread ({@code kiln-vector-warmup}) that drives Vector API code into C2: the warm-ups of
 * generated vector loops ({@link VectorWarmup}) and of the GEMM/conv anchor kernels ({@link AnchorGate}) run on it
 * one after the other, in the order they were queued, so warming never takes more than one core.
 *
 * <p>Its first task, queued when this class is initialised (by the first warm-up queued: only code that uses the
 * Vector API queues one), is {@link VectorProfilePrimer#prime}: it must run before any warm-up, whichever comes
 * first, or the first kernel warmed leaves the JDK's shared Vector API profiles seeing only its own operators and
 * a later, larger vector block can get slow C2 code for the life of the JVM (see {@link VectorProfilePrimer}).
 */
final class WarmupThread {
    private WarmupThread() {}

    private static final ExecutorService WARMER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "kiln-vector-warmup");
        t.setDaemon(true);
        return t;
    });

    static {
        WARMER.execute(VectorProfilePrimer::prime);
    }

    /** Queues {@code task} behind the warm-ups already queued. */
    static void execute(Runnable task) { WARMER.execute(task); }
}
