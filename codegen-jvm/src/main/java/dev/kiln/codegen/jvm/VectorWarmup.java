package dev.kiln.codegen.jvm;

import dev.kiln.ir.DType;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Decides when a generated vector loop runs, and gets it compiled without making callers wait.
 *
 * <p>Why: until C2 has compiled it, Vector API code runs in the interpreter or in C1 code, which box every vector —
 * a probe of two vectors of {@code elementwise_chain} took 3.4 ms interpreted, against ~30 ns once compiled, and C2
 * compiles a method only after a few hundred interpreted and a few thousand C1-compiled calls. Run directly, a first
 * call of {@code elementwise_chain} at 64x4096 took 2.2 s instead of the scalar loop's 54 ms. So until
 * {@link #ready()}, the generated driver runs every span on the kernel's scalar block (a flat loop computing the
 * same bits with {@code LaneMath32}), and a daemon thread ({@link #start}) calls the vector block on a few
 * vectors of dummy data (plus one point of scalar tail, so the tail gets profiled too) until
 * {@link #NEEDED} consecutive calls take at most {@link #FAST_NS_PER_POINT} ns per point — C2's code — or
 * {@link #GIVE_UP_NANOS} pass (a JVM that never compiles it, e.g. {@code -Xint}, stays on the scalar loop). One
 * thread for the whole JVM warms the groups one after the other, in the order of their first calls, so warming
 * never takes more than one core.
 *
 * <p>One instance per fusion group, shared by all threads and frames. Public because generated classes (in their
 * own class loader) call {@link #ready()}; not an API for people.
 */
public final class VectorWarmup {
    /** A call at most this many ns per point counts as compiled code (C2: ~1–3 plus the timer; C1: ≥ 50). */
    static final long FAST_NS_PER_POINT = 12;
    /** Consecutive fast calls needed (one may be lucky or preempted). */
    static final int NEEDED = 32;
    /** Vectors per warm-up call. */
    static final int VECTORS = 4;
    /** The warm-up thread stops trying after this long. */
    static final long GIVE_UP_NANOS = 10_000_000_000L;

    private static final ExecutorService WARMER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "kiln-vector-warmup");
        t.setDaemon(true);
        return t;
    });

    private volatile boolean ready;
    private final AtomicBoolean started = new AtomicBoolean();

    /** Whether the vector block runs whole spans now. */
    public boolean ready() { return ready; }

    /** From now on the vector block runs whole spans (tests use this to exercise it without waiting for C2). */
    void markReady() { ready = true; }

    /** Starts, once, the thread that warms up kernel {@code kernel} (a vector plan) of {@code graph}. */
    void start(GeneratedGraph graph, int kernel, LoopPlan plan) {
        if (ready || !started.compareAndSet(false, true)) return;
        WARMER.execute(() -> warm(graph, kernel, plan));
    }

    private void warm(GeneratedGraph graph, int kernel, LoopPlan plan) {
        int n = dev.kiln.codegen.jvm.vector.VectorMath32.LANES * VECTORS + 1;
        Object[] arrays = dummyArrays(plan, n);
        long begin = System.nanoTime();
        int fast = 0;
        while (fast < NEEDED && System.nanoTime() - begin < GIVE_UP_NANOS) {
            long t0 = System.nanoTime();
            graph.run(kernel, arrays, -1, 0, n); // inner < 0: the driver calls the vector block directly
            fast = System.nanoTime() - t0 <= FAST_NS_PER_POINT * n ? fast + 1 : 0;
        }
        if (fast >= NEEDED) ready = true;
    }

    /** Operand and store arrays of {@code n} points (one element for SCALAR operands), zeros. */
    private static Object[] dummyArrays(LoopPlan plan, int n) {
        int nOps = plan.access.length;
        int nStores = plan.kernel.stores().size();
        Object[] a = new Object[nOps + nStores + 1];
        for (int i = 0; i < nOps; i++) {
            if (plan.access[i] == LoopPlan.Access.UNUSED) continue;
            int len = plan.access[i] == LoopPlan.Access.SCALAR ? 1 : n;
            a[i] = plan.kernel.operands().get(i).type().dtype() == DType.BOOL ? new boolean[len] : new float[len];
        }
        for (int s = 0; s < nStores; s++) a[nOps + s] = new float[n];
        return a;
    }
}
