package dev.kiln.eager.kernels;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether Kiln's float GEMMs call native OpenBLAS (through JavaCPP) or plain Java ({@link JavaGemm}), and the one
 * place that loads OpenBLAS.
 *
 * <p><b>Why not always native.</b> Loading OpenBLAS costs a JVM about 150–200 ms of CPU (JavaCPP's {@code Loader}
 * finding, checking and {@code dlopen}ing six native libraries, much of it interpreted Java) — more than a small
 * model's whole first inference. A one-shot process ({@code kiln run}) that multiplies a few small matrices pays
 * that for nothing. So until OpenBLAS is loaded, a product of at most {@link #JAVA_MAX_FMAS} multiply-adds runs in
 * Java, while the products run that way in this JVM total at most {@link #JAVA_BUDGET_FMAS}; the first product
 * past either bound loads OpenBLAS (on the calling thread) and every product after that is native. A long-running
 * process loads it ahead of time ({@link #load()}, e.g. the runtime's kernel warmup thread), so its steady state is
 * all native.
 *
 * <p><b>One loader.</b> Every use of JavaCPP in Kiln's CPU kernels goes through {@link #load()} first, which is
 * {@code synchronized}: two threads initialising JavaCPP at once can deadlock (loading a JNI library holds JavaCPP's
 * {@code Loader} lock and initialises {@code Pointer}, while {@code Pointer}'s static initialiser, run by another
 * thread, waits for that lock), and one lock around the whole initialisation rules that out.
 *
 * <p>Results of the two paths agree to float rounding (different summation orders), as two BLAS builds do.
 */
public final class NativeBlas {
    /** Products up to this many multiply-adds may run in Java while OpenBLAS is not loaded (~2–4 ms in C1 code). */
    public static final long JAVA_MAX_FMAS = 1L << 24;
    /** Multiply-adds run in Java, in all, before OpenBLAS is loaded anyway (~50–100 ms, about its loading cost). */
    public static final long JAVA_BUDGET_FMAS = 1L << 26;

    private static volatile boolean loaded;
    private static final AtomicLong JAVA_FMAS = new AtomicLong();

    private NativeBlas() {}

    /** Whether OpenBLAS is loaded (and set to one thread) in this JVM. */
    public static boolean loaded() { return loaded; }

    /**
     * Loads JavaCPP and OpenBLAS and sets OpenBLAS to one thread (Kiln splits large products over its own threads;
     * see {@link Blas}); returns at once when already loaded. Thread-safe; callers wait while another thread loads.
     *
     * @throws LinkageError when the native libraries cannot be loaded on this platform
     */
    public static void load() {
        if (loaded) return;
        synchronized (NativeBlas.class) {
            if (loaded) return;
            org.bytedeco.openblas.global.openblas_nolapack.blas_set_num_threads(1);
            loaded = true;
        }
    }

    /**
     * Whether a product of {@code fmas} multiply-adds should run in Java: true only while OpenBLAS is not loaded,
     * the product is at most {@link #JAVA_MAX_FMAS} and the Java budget is not spent (the product is charged to
     * it). Otherwise loads OpenBLAS if needed and returns false.
     */
    public static boolean useJava(long fmas) {
        if (loaded) return false;
        if (fmas <= JAVA_MAX_FMAS && JAVA_FMAS.addAndGet(fmas) <= JAVA_BUDGET_FMAS) return true;
        load();
        return false;
    }
}
