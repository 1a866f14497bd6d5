package dev.kiln.eager;

import java.util.concurrent.ForkJoinPool;

/**
 * Kiln's intra-op thread pool.
 *
 * <p>The thread count comes from {@link #setNumThreads(int)}, else the system property {@code kiln.threads}, else
 * the environment variable {@code KILN_NUM_THREADS}, else the number of available processors. OpenBLAS itself
 * always runs single-threaded; large GEMMs are split over this pool instead (see {@code Blas}). Work smaller than
 * a grain runs on the calling thread, so small tensors pay no scheduling cost. A worker that finishes a region spins
 * for the next one up to {@code kiln.spinMicros} µs before parking ({@link #LINGER_NANOS}).
 */
public final class Parallel {
    /** Elements below which an elementwise loop is not worth splitting (about 20–50 µs of work). */
    public static final int ELEMENTWISE_GRAIN = 32_768;

    private static volatile int numThreads = initialThreads();
    private static volatile ForkJoinPool pool = newPool(numThreads);
    private static final java.util.List<java.util.function.IntConsumer> LISTENERS =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    private Parallel() {}

    /** A loop body over the half-open index range {@code [start, end)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    public static int numThreads() { return numThreads; }

    /** Sets the number of threads kernels may use (at least 1). */
    public static synchronized void setNumThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("thread count must be at least 1, got " + n);
        if (n == numThreads) return;
        ForkJoinPool old = pool;
        numThreads = n;
        pool = newPool(n);
        if (old != null) old.shutdown();
        for (java.util.function.IntConsumer l : LISTENERS) l.accept(n);
    }

    /** Registers a callback told the new thread count whenever it changes. */
    public static void onThreadCountChange(java.util.function.IntConsumer listener) {
        LISTENERS.add(listener);
    }

    /**
     * Runs {@code body} over {@code [0, n)}, split into at most {@link #numThreads()} contiguous chunks of at
     * least {@code grain} indices each. Chunks are disjoint, so bodies that write only their own range are safe.
     *
     * <p>The chunks are taken as {@link #forRangeShared}'s pieces: the calling thread runs the first and any that no
     * worker has started, rather than parking while the pool runs them all. The pool's own fork/join split
     * ({@code ForkJoinPool.invoke}) parked the caller and woke two workers for two chunks, and on two vCPUs a
     * 2-thread call ran slower than a 1-thread one: at batch 32, {@code mlp} 236 → 384 µs and {@code lenet_bn}
     * 1,344 → 2,097 µs (docs/benchmarks.md).
     */
    public static void forRange(int n, int grain, RangeBody body) {
        int threads = numThreads;
        int chunks = grain <= 0 ? threads : (int) Math.min(threads, Math.max(1, (long) n / Math.max(1, grain)));
        // Nested parallel regions run inline: the outer loop already occupies the workers.
        if (chunks <= 1 || n <= 1 || pool == null || inPool()) {
            if (n > 0) body.run(0, n);
            return;
        }
        forRangeShared(n, (n + chunks - 1) / chunks, body);
    }

    /**
     * Runs {@code body} over {@code [0, n)} in pieces of {@code piece} indices that the <b>calling thread</b> and up
     * to {@link #numThreads()}{@code  - 1} pool workers take, in order, from a shared counter; returns when every
     * piece is done. Unlike {@link #forRange}, no range is bound to a thread in advance: a worker that starts late
     * (its core busy with another process, or just waking up) takes only the pieces left when it arrives, and the
     * caller never parks while work is left, so on a loaded machine the call costs at most one piece more than on
     * one thread. Pieces are disjoint, so bodies that write only their own range are safe. An exception thrown by a
     * piece is rethrown here (wrapped when checked) after all started pieces have finished.
     */
    public static void forRangeShared(int n, int piece, RangeBody body) {
        int threads = numThreads;
        ForkJoinPool p = pool;
        int pieces = (int) Math.min(Integer.MAX_VALUE, ((long) n + Math.max(1, piece) - 1) / Math.max(1, piece));
        if (threads <= 1 || pieces <= 1 || p == null || inPool()) {
            if (n > 0) body.run(0, n);
            return;
        }
        Shared job = new Shared(n, Math.max(1, piece), body);
        current.set(job);
        // Workers still spinning after the previous region join this one through `current`; wake only the rest.
        int wake = Math.min(threads - 1, pieces - 1) - (LINGER_NANOS > 0 ? lingering.get() : 0);
        for (int i = wake; i > 0; i--) p.execute(() -> runAndLinger(job));
        try {
            job.run();
            job.await();
        } finally {
            current.compareAndSet(job, null); // the finished region's body (and what it holds) is not kept alive
        }
    }

    /**
     * How long a pool worker spins for the next parallel region after finishing one, before it returns to the pool
     * and parks: system property {@code kiln.spinMicros} (default 200; 0 turns spinning off). Why: waking a parked
     * worker costs tens of microseconds on a virtual machine (an interrupt to a halted vCPU), so in a model's chain
     * of short regions (batch 32: 50–500 µs each) a woken worker arrived when the caller had done most of the work,
     * and two threads were no faster than one. ONNX Runtime's pool spins between regions the same way.
     */
    private static final long LINGER_NANOS = spinMicros() * 1000L;
    /**
     * The latest region started and not yet finished, or null (read by spinning workers; a region it replaced is
     * finished by its own caller).
     */
    private static final java.util.concurrent.atomic.AtomicReference<Shared> current =
            new java.util.concurrent.atomic.AtomicReference<>();
    /** Workers spinning in {@link #runAndLinger}. */
    private static final java.util.concurrent.atomic.AtomicInteger lingering =
            new java.util.concurrent.atomic.AtomicInteger();

    /**
     * A pool task: takes pieces of {@code job}, then spins up to {@link #LINGER_NANOS} for a newer region and joins
     * it, and so on. Joining is always optional: every caller takes its own region's pieces until none is left.
     */
    private static void runAndLinger(Shared job) {
        job.run();
        if (LINGER_NANOS <= 0) return;
        lingering.incrementAndGet();
        try {
            Shared seen = job;
            long until = System.nanoTime() + LINGER_NANOS;
            while (System.nanoTime() < until) {
                Shared next = current.get();
                if (next != seen && next != null) {
                    next.run();
                    seen = next;
                    until = System.nanoTime() + LINGER_NANOS;
                } else {
                    Thread.onSpinWait();
                }
            }
        } finally {
            lingering.decrementAndGet();
        }
    }

    private static int spinMicros() {
        String v = System.getProperty("kiln.spinMicros");
        if (v == null) return 200;
        try {
            int us = Integer.parseInt(v.trim());
            if (us >= 0) return us;
        } catch (NumberFormatException ignored) {
            // fall through
        }
        System.err.println("kiln: ignoring kiln.spinMicros '" + v + "' (expected a non-negative integer)");
        return 200;
    }

    /** One {@link #forRangeShared} call: the piece counter, the done counter and the first failure. */
    private static final class Shared implements Runnable {
        private final int n;
        private final int piece;
        private final RangeBody body;
        private final java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        private final java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
        private final Thread caller = Thread.currentThread();
        private volatile Throwable failure;

        Shared(int n, int piece, RangeBody body) {
            this.n = n;
            this.piece = piece;
            this.body = body;
        }

        /** Takes pieces until none is left (a late worker of a finished call takes none and returns). */
        @Override
        public void run() {
            int s;
            while ((s = next.getAndAdd(piece)) < n) {
                int e = (int) Math.min(n, (long) s + piece);
                try {
                    body.run(s, e);
                } catch (Throwable t) {
                    if (failure == null) failure = t;
                } finally {
                    // The thread finishing the last piece wakes the caller if it parked in await().
                    if (done.addAndGet(e - s) == n && Thread.currentThread() != caller) {
                        java.util.concurrent.locks.LockSupport.unpark(caller);
                    }
                }
            }
        }

        /**
         * Waits for the pieces other threads are still running: spins briefly (a piece is short), then parks — not
         * yields: a worker descheduled in the middle of a piece sits on the other core's run queue, and only a core
         * left idle lets the scheduler move it here — until the last piece's thread unparks it.
         */
        void await() {
            for (int spins = 0; done.get() < n; spins++) {
                if (spins < 500) Thread.onSpinWait();
                else java.util.concurrent.locks.LockSupport.parkNanos(this, 50_000L);
            }
            Throwable t = failure;
            if (t instanceof RuntimeException r) throw r;
            if (t instanceof Error e) throw e;
            if (t != null) throw new IllegalStateException("parallel range body failed", t);
        }
    }

    private static boolean inPool() {
        return Thread.currentThread() instanceof java.util.concurrent.ForkJoinWorkerThread w && w.getPool() == pool;
    }

    private static ForkJoinPool newPool(int n) {
        return n <= 1 ? null : new ForkJoinPool(n, p -> {
            var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setName("kiln-worker-" + t.getPoolIndex());
            t.setDaemon(true);
            return t;
        }, null, false);
    }

    private static int initialThreads() {
        String p = System.getProperty("kiln.threads");
        if (p == null) p = System.getenv("KILN_NUM_THREADS");
        if (p != null) {
            try {
                int n = Integer.parseInt(p.trim());
                if (n >= 1) return n;
            } catch (NumberFormatException ignored) {
                // fall through to the processor count
            }
            System.err.println("kiln: ignoring thread count '" + p + "' (expected a positive integer)");
        }
        return Math.max(1, Runtime.getRuntime().availableProcessors());
    }
}
