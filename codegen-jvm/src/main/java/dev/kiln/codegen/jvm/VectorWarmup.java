package dev.kiln.codegen.jvm;

import dev.kiln.ir.DType;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Decides when a generated vector loop runs, gets it compiled without making callers wait, and takes it back when
 * it stops running as compiled code.
 *
 * <p>Why: until C2 has compiled it, Vector API code runs in the interpreter or in C1 code, which box every vector —
 * a probe of two vectors of {@code elementwise_chain} took 3.4 ms interpreted, against ~30 ns once compiled, and C2
 * compiles a method only after a few hundred interpreted and a few thousand C1-compiled calls. Run directly, a first
 * call of {@code elementwise_chain} at 64x4096 took 2.2 s instead of the scalar loop's 54 ms. So until
 * {@link #ready()}, the generated driver runs every span on the kernel's scalar block (a flat loop computing the
 * same bits with {@code LaneMath32}), and a daemon thread ({@link #start}) calls the vector block until
 * {@link #NEEDED} consecutive calls take at most {@link #FAST_NS_PER_POINT} ns per point — C2's code — or
 * {@link #GIVE_UP_NANOS} pass (a JVM that never compiles it, e.g. {@code -Xint}, stays on the scalar loop). One
 * thread for the whole JVM ({@link WarmupThread}, shared with the anchors' {@link AnchorGate}s) warms the kernels one after the other, in the order of their first calls, so warming
 * never takes more than one core.
 *
 * <p>The warm-up data is not all zeros: float operands cycle through signs and magnitudes (and a few large values),
 * bool operands mix true and false, SCALAR operands and the length of the scalar tail alternate between two calls.
 * A branch the warm-up never took would be compiled by C2 as an uncommon trap, and the first real point taking it
 * would deoptimise the block (the scalar tail, for one, branches on data in its selects and {@code LaneMath32}).
 *
 * <p>The guard ({@link #timeCall}, {@link #timed}): C2 may still throw the compiled block away later (a trap on a
 * path no warm-up took, a class redefinition, code cache pressure); the block then runs boxed again, 10–1000 times
 * slower, until thousands of slow calls have it recompiled. So once ready, calls of the group are timed (every call
 * of at least {@link #TIME_ALWAYS_POINTS} points, every {@link #SMALL_CALL_PERIOD}th smaller one); after
 * {@link SlowCallGuard#SLOW_NEEDED} timed calls in a row slower than {@link #slowNanos(int)} ({@link SlowCallGuard})
 * the kernel goes back to its scalar block and the warm-up thread runs again, which drives the recompilation on its
 * own core.
 *
 * <p>One instance per generated kernel (groups with identical code share the kernel and so the instance), shared by
 * all threads and frames. The call counters of the guard are racy on purpose: a lost update only shifts which call
 * gets timed. Public because generated classes (in their own class loader) call {@link #ready()}; not an API for
 * people.
 */
public final class VectorWarmup {
    /** A call at most this many ns per point counts as compiled code (C2: ~1–3 plus the timer; C1: ≥ 50). */
    static final long FAST_NS_PER_POINT = 12;
    /** Consecutive fast calls needed (one may be lucky or preempted); only the calls with a 1-point tail count. */
    static final int NEEDED = 32;
    /** Vectors per warm-up call. */
    static final int VECTORS = 4;
    /** The warm-up thread stops trying after this long. */
    static final long GIVE_UP_NANOS = 10_000_000_000L;
    /** The slow bound is at least this many ps per point (C1's boxed code: ≥ 50,000). */
    static final long MIN_SLOW_PICOS = 8_000;
    /** Calls of at least this many points are always timed (two nanoTime calls are noise next to them). */
    static final int TIME_ALWAYS_POINTS = 2048;
    /** Smaller calls: one in this many (a power of two) is timed. */
    static final int SMALL_CALL_PERIOD = 8;

    private volatile boolean ready;
    /** The last warm-up ended without reaching compiled speed ({@link #GIVE_UP_NANOS}); cleared by a new one. */
    private volatile boolean gaveUp;
    private final AtomicBoolean started = new AtomicBoolean();
    /** The slow-call check of the block once ready (bound from the warm-up's best ps per point). */
    private final SlowCallGuard guard = new SlowCallGuard(MIN_SLOW_PICOS, FAST_NS_PER_POINT * 1000);
    private int calls;
    private final AtomicInteger demotions = new AtomicInteger();

    /** Whether the vector block runs whole spans now. */
    public boolean ready() { return ready; }

    /** Whether the last warm-up gave up (e.g. under {@code -Xint}): the kernel stays on its scalar block. */
    boolean gaveUp() { return gaveUp; }

    /** From now on the vector block runs whole spans (tests use this to exercise it without waiting for C2). */
    void markReady() { ready = true; }

    /** How often the guard has sent the kernel back to its scalar block. */
    int demotions() { return demotions.get(); }

    /** Starts, once (again after a demotion), the thread that warms up kernel {@code kernel} of {@code graph}. */
    void start(GeneratedGraph graph, int kernel, LoopPlan plan) {
        if (ready || !started.compareAndSet(false, true)) return;
        gaveUp = false;
        WarmupThread.execute(() -> warm(graph, kernel, plan));
    }

    /** Whether the caller should time this call of {@code points} points and report it to {@link #timed}. */
    boolean timeCall(int points) {
        if (!ready) return false;
        return points >= TIME_ALWAYS_POINTS || (++calls & (SMALL_CALL_PERIOD - 1)) == 0;
    }

    /** A timed call of {@code points} points took {@code nanos}; two slow ones in a row demote the kernel. */
    void timed(int points, long nanos) {
        if (!guard.demote(points, nanos, ready)) return;
        ready = false;
        demotions.incrementAndGet();
        started.set(false); // the next call queues the warm-up again
    }

    /** Above this a call of {@code points} points is not compiled vector code. */
    long slowNanos(int points) { return guard.slowNanos(points); }

    private void warm(GeneratedGraph graph, int kernel, LoopPlan plan) {
        int lanes = dev.kiln.codegen.jvm.vector.VectorMath32.LANES;
        // Two calls that differ in tail length (1 and LANES - 1 points) and in their data and SCALAR operands.
        int[] n = {lanes * VECTORS + 1, lanes * VECTORS + lanes - 1};
        Object[][] arrays = {warmUpArrays(plan, n[0], 0), warmUpArrays(plan, n[1], 1)};
        long begin = System.nanoTime();
        long best = Long.MAX_VALUE;
        int fast = 0;
        for (int call = 0; fast < NEEDED && System.nanoTime() - begin < GIVE_UP_NANOS; call++) {
            int which = call & 1;
            long t0 = System.nanoTime();
            graph.run(kernel, arrays[which], -1, 0, n[which]); // inner < 0: the driver calls the vector block directly
            if (which == 1) continue; // profiling only: its longer tail (scalar calls) is no measure of the vectors
            long picosPerPoint = (System.nanoTime() - t0) * 1000 / n[which];
            if (picosPerPoint <= FAST_NS_PER_POINT * 1000) {
                fast++;
                best = Math.min(best, picosPerPoint);
            } else {
                fast = 0;
                best = Long.MAX_VALUE;
            }
        }
        if (fast >= NEEDED) {
            guard.reset(best);
            ready = true;
        } else {
            gaveUp = true;
        }
    }

    /**
     * Operand and store arrays of {@code n} points (one element for SCALAR operands). Floats cycle through 16 values
     * of both signs from 0.375 to 5.625 and ±50 (past exp's and tanh's clamps), shifted by {@code variant}; bools are true
     * at every third point (every other one for variant 1); no zeros or subnormals (slow paths of the FPU).
     */
    static Object[] warmUpArrays(LoopPlan plan, int n, int variant) {
        int nOps = plan.access.length;
        int nStores = plan.kernel.stores().size();
        Object[] a = new Object[nOps + nStores + 1];
        for (int i = 0; i < nOps; i++) {
            if (plan.access[i] == LoopPlan.Access.UNUSED) continue;
            int len = plan.access[i] == LoopPlan.Access.SCALAR ? 1 : n;
            if (plan.kernel.operands().get(i).type().dtype() == DType.BOOL) {
                boolean[] b = new boolean[len];
                for (int j = 0; j < len; j++) b[j] = (j + i + variant) % (3 - variant) == 0;
                a[i] = b;
            } else {
                float[] f = new float[len];
                for (int j = 0; j < len; j++) f[j] = warmUpValue(j * 5 + i * 3 + variant * 7);
                a[i] = f;
            }
        }
        for (int s = 0; s < nStores; s++) a[nOps + s] = new float[n];
        return a;
    }

    private static float warmUpValue(int k) {
        int m = k & 15;
        float v = m == 15 ? 50f : (m + 1) * 0.375f; // 0.375 .. 5.625, or 50
        return (k & 16) == 0 ? v : -v;
    }
}
