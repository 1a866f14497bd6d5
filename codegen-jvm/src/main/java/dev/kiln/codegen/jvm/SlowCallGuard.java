package dev.kiln.codegen.jvm;

/**
 * The "is this Vector API code still C2's code?" check that {@link VectorWarmup} (generated vector loops, per
 * point) and {@link AnchorGate} (GEMM/conv kernels, per multiply-add) run on timed calls once their code is in use.
 *
 * <p>A call of {@code units} units is slow above {@link #slowNanos}: {@link #SLOW_FACTOR} times the best
 * picoseconds per unit the warm-up measured (at least the owner's floor), plus {@link #SLOW_SLACK_NANOS} for a
 * split's fork/join or a short preemption. {@link #SLOW_NEEDED} slow calls in a row, while the owner's code is in
 * use, mean it has left C2's code (a deoptimisation): the owner goes back to its scalar/BLAS form and warms again.
 *
 * <p>The run counter is racy on purpose (shared by all calling threads): a lost update only delays a demotion by a
 * call.
 */
final class SlowCallGuard {
    /** A timed call counts as slow above this multiple of the warm-up's best time per unit ... */
    static final int SLOW_FACTOR = 16;
    /** ... plus this much per call (the fork/join of Parallel, a short preemption). */
    static final long SLOW_SLACK_NANOS = 50_000;
    /** Timed calls in a row that must be slow before the owner demotes its code. */
    static final int SLOW_NEEDED = 2;

    /** The owner's floor for the slow bound, in picoseconds per unit. */
    private final long minSlowPicos;
    /** Best picoseconds per unit of the last successful warm-up. */
    private volatile long bestPicos;
    private int slowInARow;

    /** A guard whose bound is at least {@code minSlowPicos} per unit, {@code initialBestPicos} until a warm-up. */
    SlowCallGuard(long minSlowPicos, long initialBestPicos) {
        this.minSlowPicos = minSlowPicos;
        this.bestPicos = initialBestPicos;
    }

    /** A warm-up measured {@code best} picoseconds per unit: the bound follows it, and the run starts over. */
    void reset(long best) {
        bestPicos = best;
        slowInARow = 0;
    }

    /** The run starts over (the owner's code was just put back in use). */
    void clearRun() { slowInARow = 0; }

    /** Above this a call of {@code units} units is not C2's code. */
    long slowNanos(long units) {
        long picos = Math.max(minSlowPicos, bestPicos * SLOW_FACTOR);
        return picos * units / 1000 + SLOW_SLACK_NANOS;
    }

    /**
     * Counts a timed call of {@code units} units that took {@code nanos}; returns true when it completes
     * {@link #SLOW_NEEDED} slow calls in a row while {@code inUse} (the run then starts over) — the owner demotes.
     */
    boolean demote(long units, long nanos, boolean inUse) {
        if (nanos <= slowNanos(units)) {
            slowInARow = 0;
            return false;
        }
        if (++slowInARow < SLOW_NEEDED || !inUse) return false;
        slowInARow = 0;
        return true;
    }
}
