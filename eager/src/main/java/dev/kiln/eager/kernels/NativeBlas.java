package dev.kiln.eager.kernels;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

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
 * <p><b>Without OpenBLAS.</b> Where the native libraries cannot be loaded (a platform without JavaCPP's OpenBLAS
 * build), {@link #load()} throws, a warning is logged once ({@code System.Logger} {@code dev.kiln.blas}), and every
 * product runs in Java from then on: slower, but the model runs.
 *
 * <p><b>One loader.</b> Every use of JavaCPP in Kiln's CPU kernels goes through {@link #load()} first, which holds
 * a lock: two threads initialising JavaCPP at once can deadlock (loading a JNI library holds JavaCPP's
 * {@code Loader} lock and initialises {@code Pointer}, while {@code Pointer}'s static initialiser, run by another
 * thread, waits for that lock), and one lock around the whole initialisation rules that out.
 *
 * <p>Results of the two paths agree to float rounding (different summation orders), as two BLAS builds do.
 */
public final class NativeBlas {
    /** Products up to this many multiply-adds may run in Java while OpenBLAS is not loaded (~10–20 ms in C1 code). */
    public static final long JAVA_MAX_FMAS = 1L << 24;
    /** Multiply-adds run in Java, in all, before OpenBLAS is loaded anyway (~50–100 ms, about its loading cost). */
    public static final long JAVA_BUDGET_FMAS = 1L << 26;

    /** This JVM's state. */
    private static final NativeBlas JVM = new NativeBlas(NativeBlas::loadOpenBlas,
            msg -> System.getLogger("dev.kiln.blas").log(System.Logger.Level.WARNING, msg));

    private final Runnable loader;
    private final Consumer<String> warn;
    private final AtomicLong javaFmas = new AtomicLong();
    private volatile boolean loaded;
    /** Why OpenBLAS cannot be loaded, once a load failed; null before. */
    private volatile LinkageError unavailable;

    /** A state of its own with its own loader and warning sink (tests; Kiln uses the JVM's, the static methods). */
    NativeBlas(Runnable loader, Consumer<String> warn) {
        this.loader = loader;
        this.warn = warn;
    }

    /** Whether OpenBLAS is loaded (and set to one thread) in this JVM. */
    public static boolean loaded() { return JVM.isLoaded(); }

    /**
     * Loads JavaCPP and OpenBLAS and sets OpenBLAS to one thread (Kiln splits large products over its own threads;
     * see {@link Blas}); returns at once when already loaded. Thread-safe; callers wait while another thread loads.
     *
     * @throws LinkageError when the native libraries cannot be loaded on this platform (every call, after a warning
     *                      on the first)
     */
    public static void load() { JVM.ensureLoaded(); }

    /**
     * Whether a product of {@code fmas} multiply-adds should run in Java: true while OpenBLAS is not loaded, the
     * product is at most {@link #JAVA_MAX_FMAS} and the Java budget is not spent (the product is charged to it),
     * and always when OpenBLAS cannot be loaded. Otherwise loads OpenBLAS if needed and returns false.
     */
    public static boolean useJava(long fmas) { return JVM.preferJava(fmas); }

    boolean isLoaded() { return loaded; }

    void ensureLoaded() {
        if (loaded) return;
        synchronized (this) {
            if (loaded) return;
            if (unavailable != null) throw unavailable;
            try {
                loader.run();
            } catch (LinkageError e) {
                unavailable = e;
                warn.accept("OpenBLAS could not be loaded (" + e + "); Kiln's float GEMMs run in plain Java, "
                        + "which is slower");
                throw e;
            }
            loaded = true;
        }
    }

    boolean preferJava(long fmas) {
        if (loaded) return false;
        if (unavailable != null) return true;
        if (fmas <= JAVA_MAX_FMAS && javaFmas.addAndGet(fmas) <= JAVA_BUDGET_FMAS) return true;
        try {
            ensureLoaded();
            return false;
        } catch (LinkageError e) {
            return true; // warned once by ensureLoaded
        }
    }

    private static void loadOpenBlas() {
        org.bytedeco.openblas.global.openblas_nolapack.blas_set_num_threads(1);
    }
}
