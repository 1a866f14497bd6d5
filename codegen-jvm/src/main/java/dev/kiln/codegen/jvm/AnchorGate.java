package dev.kiln.codegen.jvm;

import dev.kiln.codegen.jvm.vector.AnchorWarmup;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The warm-up gate of one Vector API anchor kernel: whether {@link LinearAnchor}/{@link ConvAnchor} may run it yet.
 *
 * <p>Why: until C2 has compiled them, {@code PanelGemm}, {@code DirectConv} and {@code WinogradRows} run as boxed
 * Vector API code, 10–1000× slower (a compiled {@code resnet_block}'s first call took ~590 ms and its next ones
 * ~190 ms against ~0.22 ms once compiled; {@code transformer_block}'s GEMMs 100–300 ms per call for ~4 s). So until
 * its gate is {@link #ready()}, an anchor runs its non-Vector-API form — OpenBLAS {@code sgemm}/{@code sgemv},
 * im2col + {@code sgemm} for convolutions, the form it takes when {@code jdk.incubator.vector} is absent — which is
 * native code and fast from the first call, and gives the same results within rounding. The gate's warm-up
 * ({@link #start}, queued on the JVM-wide {@link WarmupThread} when an anchor that uses the kernel is built) calls
 * the kernel on small dummy problems that take all its code paths ({@link AnchorWarmup}) until {@link #NEEDED}
 * rounds in a row run at most {@link #FAST_PICOS_PER_FMA} ps per multiply-add — C2's code — or
 * {@link #GIVE_UP_NANOS} pass (e.g. under {@code -Xint}: the anchors then stay on BLAS).
 *
 * <p><b>One gate per kernel kind.</b> The kernels are static code shared by every anchor of every module in the JVM,
 * and C2 compiles each once, so one gate per kind is enough: the first module to need a kernel warms it, the others
 * find it ready.
 *
 * <p><b>Guard</b> ({@link #timed}): once ready, every Vector API call of an anchor is timed (two
 * {@code System.nanoTime} next to microseconds of work); after {@link SlowCallGuard#SLOW_NEEDED} calls in a row
 * slower than {@link #slowNanos} ({@link SlowCallGuard}) the gate closes again (the anchors go back to BLAS) and
 * the next anchor call queues the warm-up again, which has C2 recompile the kernel on the warm-up thread (see
 * {@link VectorWarmup}: a deoptimised kernel would otherwise run boxed for thousands of calls). The guard's counters
 * are racy on purpose (a lost update only delays a demotion by a call).
 */
enum AnchorGate {
    /** {@code PanelGemm}: linear anchors of 3–64 rows, conv anchors' im2col form with 3–32 channels per group. */
    PANEL_GEMM,
    /** {@code DirectConv}: stride-1 conv anchors without the row-Winograd form. */
    DIRECT_CONV,
    /** {@code WinogradRows} (and the {@code DirectConv} products it runs): stride-1 3-row conv anchors. */
    WINOGRAD_ROWS;

    /** A round at most this many ps per multiply-add is C2's code (C2: ~25–100; boxed C1 code: thousands). */
    static final long FAST_PICOS_PER_FMA = 1000;
    /** Fast rounds in a row needed (one may be lucky, or be C2's code of only some of the paths). */
    static final int NEEDED = 32;
    /** The warm-up stops trying after this long. */
    static final long GIVE_UP_NANOS = 10_000_000_000L;
    /** The slow bound is at least this many ps per multiply-add. */
    static final long MIN_SLOW_PICOS = 400;

    private volatile boolean ready;
    /** Tests: the gate stays closed ({@link #hold}). */
    private volatile boolean held;
    private volatile boolean gaveUp;
    private final AtomicBoolean started = new AtomicBoolean();
    /** The slow-call check once the gate is open (bound from the warm-up's best ps per multiply-add). */
    private final SlowCallGuard guard = new SlowCallGuard(MIN_SLOW_PICOS, FAST_PICOS_PER_FMA);
    private final AtomicInteger demotions = new AtomicInteger();
    /** DirectConv/WinogradRows: some anchor has an output width that is not whole units ({@link #needPartialUnits}). */
    private volatile boolean partialUnits;

    /** Whether anchors run this Vector API kernel now (else their BLAS form). */
    boolean ready() { return ready; }

    /** Whether the last warm-up gave up: the kernel is not used until a demotion or test restarts it. */
    boolean gaveUp() { return gaveUp; }

    /** How often the guard has closed the gate. */
    int demotions() { return demotions.get(); }

    /**
     * DirectConv/WinogradRows: an anchor will run units narrower than {@code DirectConv.WIDTH}. The first time, the
     * warm-up starts covering them, and a ready gate closes and warms again (C2 compiled the blocks without that path;
     * its first use would deoptimise them on a caller's thread). See {@link AnchorWarmup#directConv}.
     */
    void needPartialUnits() {
        if (partialUnits) return;
        synchronized (this) {
            if (partialUnits) return;
            partialUnits = true;
            if (ready) {
                ready = false;
                started.set(false);
            }
        }
        start();
    }

    /** Queues the warm-up on the warm-up thread, once (again after a demotion); no-op when ready. */
    void start() {
        if (ready || !started.compareAndSet(false, true)) return;
        gaveUp = false;
        WarmupThread.execute(this::warm);
    }

    /** A Vector API call of {@code fmas} multiply-adds took {@code nanos}; two slow ones in a row close the gate. */
    void timed(long fmas, long nanos) {
        if (!guard.demote(fmas, nanos, ready)) return;
        ready = false;
        demotions.incrementAndGet();
        started.set(false); // the next anchor call queues the warm-up again
    }

    /** Above this a call of {@code fmas} multiply-adds is not C2's code of the kernel. */
    long slowNanos(long fmas) { return guard.slowNanos(fmas); }

    /** Tests: opens the gate now, compiled or not (the guard may close it again). */
    synchronized void markReady() {
        held = false;
        guard.clearRun();
        ready = true;
    }

    /** Tests: closes the gate and keeps it closed (a warm-up in flight will not open it) until {@link #reset}. */
    synchronized void hold() {
        held = true;
        ready = false;
    }

    /** Tests: back to the state before any warm-up (closed, not held, not started); the next {@link #start} warms. */
    synchronized void reset() {
        held = false;
        ready = false;
        gaveUp = false;
        started.set(false);
    }

    private synchronized void open(long best) {
        if (held) return;
        guard.reset(best);
        ready = true;
    }

    private LongSupplier probe() {
        return switch (this) {
            case PANEL_GEMM -> AnchorWarmup.panelGemm();
            case DIRECT_CONV -> AnchorWarmup.directConv(() -> partialUnits);
            case WINOGRAD_ROWS -> AnchorWarmup.winogradRows(() -> partialUnits);
        };
    }

    private void warm() {
        LongSupplier probe = probe();
        long begin = System.nanoTime();
        long best = Long.MAX_VALUE;
        int fast = 0;
        while (fast < NEEDED && System.nanoTime() - begin < GIVE_UP_NANOS) {
            long t0 = System.nanoTime();
            long fmas = probe.getAsLong();
            long picos = (System.nanoTime() - t0) * 1000 / fmas;
            if (picos <= FAST_PICOS_PER_FMA) {
                fast++;
                best = Math.min(best, picos);
            } else {
                fast = 0;
                best = Long.MAX_VALUE;
            }
        }
        if (fast >= NEEDED) open(Math.max(1, best));
        else gaveUp = true;
    }
}
