package dev.kiln.runtime;

import dev.kiln.eager.Tensor;
import dev.kiln.eager.kernels.NativeBlas;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Starts the eager kernels' one-time initialisation — the kernel registry and the native GEMM library (OpenBLAS
 * through JavaCPP, {@link NativeBlas#load()}) — on a background daemon thread, so that it overlaps reading and
 * verifying an archive instead of delaying the model's first inference (docs/benchmarks.md, "Cold start"). Not
 * started for a one-shot load ({@link LoadOptions#warmKernels()} off): there it would only compete for the CPU with
 * the load, since small products run in Java until OpenBLAS is loaded ({@link NativeBlas}).
 *
 * <p>{@link KilnRuntime#load} waits for it ({@link #await}) before the backend prepares the model, so a loaded model
 * runs native GEMMs from its first call. (It once also had to: two threads initialising JavaCPP at once can
 * deadlock; {@link NativeBlas#load()} now serialises every JavaCPP initialisation.)
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
            NativeBlas.load();
            Tensor one = Tensor.of(new float[] {1f}, 1, 1);
            one.matmul(one); // a float GEMM: loads the dispatcher's kernel table
        } catch (RuntimeException | LinkageError ignored) {
            // reported by the first real call that needs the kernels
        }
    }
}
