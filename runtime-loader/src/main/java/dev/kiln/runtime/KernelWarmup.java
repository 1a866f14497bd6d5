package dev.kiln.runtime;

import dev.kiln.eager.Tensor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Starts the eager kernels' one-time initialisation — the kernel registry and the native GEMM library (OpenBLAS
 * through JavaCPP, which alone takes 100–250 ms on first use in a JVM) — on a background daemon thread, so that it
 * overlaps reading and verifying an archive instead of delaying the model's first inference. This is the largest
 * single item of a cold start (docs/benchmarks.md, "Cold start"); on one core it gains nothing and costs nothing.
 *
 * <p>Idempotent per JVM. A failure here is ignored: the model's own first call meets and reports it. Disabled by
 * {@code -Dkiln.runtime.warmup=false} (for measuring what it saves).
 */
final class KernelWarmup {
    private static final AtomicBoolean STARTED = new AtomicBoolean();

    private KernelWarmup() {}

    static void start() {
        if (!Boolean.parseBoolean(System.getProperty("kiln.runtime.warmup", "true"))) return;
        if (!STARTED.compareAndSet(false, true)) return;
        Thread t = new Thread(KernelWarmup::warm, "kiln-kernel-warmup");
        t.setDaemon(true);
        t.start();
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
