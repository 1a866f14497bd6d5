package dev.kiln.eager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** {@link Parallel#forRangeShared}: every index exactly once, the caller taking part, failures rethrown. */
class ParallelTest {
    @Test
    void sharedRangeRunsEveryIndexOnceOnTheCallerAndTheWorkers() {
        int before = Parallel.numThreads();
        Parallel.setNumThreads(2);
        try {
            for (int[] c : new int[][] {{1, 1}, {7, 1}, {100, 3}, {1000, 1}, {5, 10}, {0, 1}}) {
                int n = c[0];
                int piece = c[1];
                AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(1, n));
                Set<Thread> threads = ConcurrentHashMap.newKeySet();
                Parallel.forRangeShared(n, piece, (s, e) -> {
                    assertTrue(s < e && e <= n && (e - s <= piece), "range [" + s + ", " + e + ")");
                    threads.add(Thread.currentThread());
                    for (int i = s; i < e; i++) hits.incrementAndGet(i);
                });
                for (int i = 0; i < n; i++) assertEquals(1, hits.get(i), "n=" + n + " index " + i);
                // One piece: run on the caller, no worker asked.
                if (n > 0 && n <= piece) assertEquals(Set.of(Thread.currentThread()), threads, "n=" + n);
            }
        } finally {
            Parallel.setNumThreads(before);
        }
    }

    /**
     * Back-to-back regions from two calling threads at once: pool workers that spin after a region join whichever
     * region is newest, possibly the other caller's; every region still runs each of its indices exactly once.
     */
    @Test
    void regionsJoinedBySpinningWorkersRunEveryIndexOnce() throws Exception {
        int before = Parallel.numThreads();
        Parallel.setNumThreads(2);
        try {
            java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(2);
            try {
                java.util.List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
                for (int caller = 0; caller < 2; caller++) {
                    done.add(callers.submit(() -> {
                        for (int region = 0; region < 500; region++) {
                            int n = 8 + region % 5;
                            AtomicIntegerArray hits = new AtomicIntegerArray(n);
                            Parallel.forRangeShared(n, 1, (s, e) -> {
                                for (int i = s; i < e; i++) hits.incrementAndGet(i);
                            });
                            for (int i = 0; i < n; i++) assertEquals(1, hits.get(i), "region " + region + " index " + i);
                        }
                        return null;
                    }));
                }
                for (java.util.concurrent.Future<?> f : done) f.get();
            } finally {
                callers.shutdown();
            }
        } finally {
            Parallel.setNumThreads(before);
        }
    }

    @Test
    void aFailingPieceIsRethrownAfterTheOthersFinish() {
        int before = Parallel.numThreads();
        Parallel.setNumThreads(2);
        try {
            IllegalArgumentException boom = new IllegalArgumentException("piece 37");
            AtomicIntegerArray hits = new AtomicIntegerArray(64);
            IllegalArgumentException got = assertThrows(IllegalArgumentException.class,
                    () -> Parallel.forRangeShared(64, 1, (s, e) -> {
                        hits.incrementAndGet(s);
                        if (s == 37) throw boom;
                    }));
            assertSame(boom, got);
            for (int i = 0; i < 64; i++) assertEquals(1, hits.get(i), "index " + i + " still ran once");
        } finally {
            Parallel.setNumThreads(before);
        }
    }

    @Test
    void oneThreadRunsTheWholeRangeInOneCall() {
        int before = Parallel.numThreads();
        Parallel.setNumThreads(1);
        try {
            int[] calls = new int[1];
            Parallel.forRangeShared(50, 1, (s, e) -> {
                assertEquals(0, s);
                assertEquals(50, e);
                calls[0]++;
            });
            assertEquals(1, calls[0]);
        } finally {
            Parallel.setNumThreads(before);
        }
    }
}
