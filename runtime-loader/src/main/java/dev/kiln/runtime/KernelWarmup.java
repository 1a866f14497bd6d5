package dev.kiln.runtime;

import dev.kiln.eager.Tensor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Starts the eager kernels' one-time initialisation — the kernel registry and the native GEMM library (OpenBLAS
 * through JavaCPP) — on a background daemon thread, so that it overlaps reading and verifying an archive instead of
 * delaying the model's first inference (docs/benchmarks.md, "Cold start"); on one core it gains nothing and costs
 * nothing.
 *
 * <p>Invariant: no other thread initialises the kernels or JavaCPP while the warmup runs. {@link KilnRuntime#load}
 * calls {@link #await} after reading the archive and before the backend prepares it (a {@code jvm} backend packs
 * GEMM weights off-heap through JavaCPP). Two threads initialising JavaCPP at once can deadlock: loading OpenBLAS's
 * JNI library holds JavaCPP's {@code Loader} lock and initialises {@code Pointer}, while {@code Pointer}'s static
 * initialiser, run by the other thread, waits for that lock (seen once in about 50 cold starts of the launcher).
 *
 * <p>Idempotent per JVM. A failure here is ignored: the model's own first call meets and reports it. Disabled by
 * {@code -Dkiln.runtime.warmup=false} (for measuring what it saves).
 */
final class KernelWarmup {
    private static final AtomicBoolean STARTED = new AtomicBoolean();
    private static volatile Thread thread;

    private KernelWarmup() {}

    static void start() {
        if (!Boolean.parseBoolean(System.getProperty("kiln.runtime.warmup", "true"))) return;
        if (!STARTED.compareAndSet(false, true)) return;
        Thread t = new Thread(KernelWarmup::warm, "kiln-kernel-warmup");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    /** Waits until the warmup (if one was started) has finished; returns at once after that. */
    static void await() {
        Thread t = thread;
        if (t == null) return;
        boolean interrupted = false;
        while (t.isAlive()) {
            try {
                t.join();
            } catch (InterruptedException e) {
                interrupted = true; // finish waiting (the invariant above), then restore the flag
            }
        }
        thread = null;
        if (interrupted) Thread.currentThread().interrupt();
    }

    private static void warm() {
        try {
            Tensor one = Tensor.of(new float[] {1f}, 1, 1);
            one.matmul(one); // a float GEMM: loads the dispatcher's kernel table and OpenBLAS
        } catch (RuntimeException | LinkageError ignored) {
            // reported by the first real call that needs the kernels
        }
    }
}
