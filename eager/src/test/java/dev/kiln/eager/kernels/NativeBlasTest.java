package dev.kiln.eager.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The Java-or-native policy on states of their own (the JVM's own state is shared by every test, and loaded once
 * any of them needs OpenBLAS): small products stay in Java, a large one or a spent budget loads the library once,
 * concurrent loads run the loader once, and a library that cannot load leaves every product in Java with one
 * warning.
 */
class NativeBlasTest {
    @Test
    void smallProductsStayInJavaUntilOneIsTooLarge() {
        AtomicInteger loads = new AtomicInteger();
        NativeBlas b = new NativeBlas(loads::incrementAndGet, msg -> { throw new AssertionError(msg); });
        assertTrue(b.preferJava(1000));
        assertTrue(b.preferJava(NativeBlas.JAVA_MAX_FMAS));
        assertEquals(0, loads.get());
        assertFalse(b.isLoaded());
        assertFalse(b.preferJava(NativeBlas.JAVA_MAX_FMAS + 1), "too large for Java: loads and goes native");
        assertEquals(1, loads.get());
        assertTrue(b.isLoaded());
        assertFalse(b.preferJava(1), "once loaded, every product is native");
        b.ensureLoaded();
        assertEquals(1, loads.get(), "loads once");
    }

    @Test
    void theJavaBudgetRunsOut() {
        AtomicInteger loads = new AtomicInteger();
        NativeBlas b = new NativeBlas(loads::incrementAndGet, msg -> { throw new AssertionError(msg); });
        long each = NativeBlas.JAVA_MAX_FMAS;
        long fit = NativeBlas.JAVA_BUDGET_FMAS / each;
        for (long i = 0; i < fit; i++) assertTrue(b.preferJava(each), "product " + i + " is within the budget");
        assertEquals(0, loads.get());
        assertFalse(b.preferJava(each), "the budget is spent");
        assertEquals(1, loads.get());
    }

    @Test
    void concurrentLoadsRunTheLoaderOnce() throws Exception {
        AtomicInteger loads = new AtomicInteger();
        CountDownLatch inLoader = new CountDownLatch(1);
        NativeBlas b = new NativeBlas(() -> {
            loads.incrementAndGet();
            inLoader.countDown();
            try {
                Thread.sleep(50); // hold the lock while others arrive
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, msg -> { throw new AssertionError(msg); });
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Thread t = new Thread(b::ensureLoaded);
            threads.add(t);
            t.start();
        }
        inLoader.await();
        for (Thread t : threads) t.join(10_000);
        assertEquals(1, loads.get());
        assertTrue(b.isLoaded());
    }

    @Test
    void aLibraryThatCannotLoadLeavesEveryProductInJavaWithOneWarning() {
        List<String> warnings = new ArrayList<>();
        UnsatisfiedLinkError cause = new UnsatisfiedLinkError("no jniopenblas_nolapack in java.library.path");
        AtomicInteger loads = new AtomicInteger();
        NativeBlas b = new NativeBlas(() -> {
            loads.incrementAndGet();
            throw cause;
        }, warnings::add);
        assertTrue(b.preferJava(NativeBlas.JAVA_MAX_FMAS * 4), "a large product runs in Java when loading fails");
        assertTrue(b.preferJava(NativeBlas.JAVA_BUDGET_FMAS * 2));
        assertEquals(1, loads.get(), "no second attempt");
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("OpenBLAS could not be loaded") && warnings.get(0).contains("jniopenblas"),
                warnings.get(0));
        assertSame(cause, assertThrows(UnsatisfiedLinkError.class, b::ensureLoaded));
        assertFalse(b.isLoaded());
    }
}
