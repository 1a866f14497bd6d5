package dev.kiln.codegen.jvm;

import dev.kiln.eager.Parallel;
import dev.kiln.eager.kernels.JavaGemm;
import dev.kiln.eager.kernels.NativeBlas;

/**
 * One GEMM call site of a compiled anchor, bound once per execution context ({@link Frame}):
 * {@code C = A·op(B) + beta·C}, row-major, {@code A} ({@code m × k}) not transposed, {@code op(B)} ({@code k × n})
 * either {@code B} or the transpose of a stored {@code n × k} matrix, on off-heap memory that lives as long as the
 * frame (activations, results) or the module (packed weights).
 *
 * <p><b>Few rows: one {@code sgemv} per row.</b> OpenBLAS 0.3.31's {@code sgemm} on this machine (Zen, AVX2)
 * packs {@code B} on every call, a cost proportional to {@code k·n} whatever {@code m}: measured
 * (single-threaded, best of 7), a 1×784 by 784×256 product takes 177 µs by {@code sgemm} and 14 µs by
 * {@code sgemv}; 8 rows 193 vs 119 µs; 16 rows 282 vs 268 µs; 32 rows 311 vs 457 µs, and the same crossover near
 * 8–16 rows for every linear shape of the conformance models and for their convolutions ({@code docs/codegen-jvm.md}).
 * So a product of at most {@link #GEMV_ROWS} rows runs as {@code m} matrix-vector products
 * ({@code row i of C = op(B)ᵀ · row i of A}), larger ones as one {@code sgemm}.
 *
 * <p><b>Threads.</b> OpenBLAS always runs single-threaded in Kiln (its own pool spins between calls and, next to
 * Kiln's {@link Parallel} pool on two cores, made 2-thread runs 10–100× slower; {@code docs/benchmarks.md}). A
 * product of at least {@link #SPLIT_FMAS} multiply-adds is split instead over {@link Parallel}'s threads: by rows
 * in the {@code sgemv} form, by blocks of columns (a multiple of 16) in the {@code sgemm} form; smaller ones run on
 * the calling thread, since waking a parked worker costs more than they take. Per-row and per-block pointers are
 * made once (per thread count), so a steady-state call allocates nothing here except {@link Parallel}'s task
 * objects when it splits.
 *
 * <p><b>Before OpenBLAS is loaded.</b> A product that {@link NativeBlas#useJava} keeps in Java (small, while
 * OpenBLAS is not loaded: a one-shot process never pays for loading it) copies the operands' regions to the heap,
 * runs {@link JavaGemm#sgemm} and copies the result back; the native side ({@link NativeGemmCall}, with its JavaCPP
 * pointers) is made on the first product that runs on OpenBLAS.
 *
 * <p>Not thread-safe: a call site belongs to one frame, which belongs to one thread.
 */
final class GemmCall {
    /** Products of at most this many rows run as one {@code sgemv} per row. */
    static final int GEMV_ROWS = 8;
    /** Multiply-adds from which a product is split over threads (~50–100 µs of single-thread work). */
    static final long SPLIT_FMAS = 1L << 22;

    final int m;
    final int n;
    final int k;
    final NativeFloats a;
    final long aOff;
    final int lda;
    final NativeFloats b;
    final long bOff;
    final boolean bTrans;
    final int ldb;
    final NativeFloats c;
    final long cOff;
    final int ldc;
    final float beta;
    /** The OpenBLAS form of this call, made on its first native run. */
    private NativeGemmCall nativeCall;

    /**
     * @param a      {@code m × k} at {@code aOff}, leading dimension {@code lda}
     * @param b      at {@code bOff}: {@code k × n} (leading dimension {@code ldb}) or, when {@code bTrans}, a stored
     *               {@code n × k} matrix (leading dimension {@code ldb}) read transposed
     * @param c      {@code m × n} at {@code cOff}, leading dimension {@code ldc}; read when {@code beta != 0}
     */
    GemmCall(int m, int n, int k, NativeFloats a, long aOff, int lda, NativeFloats b, long bOff, boolean bTrans,
             int ldb, NativeFloats c, long cOff, int ldc, float beta) {
        this.m = m;
        this.n = n;
        this.k = k;
        this.a = a;
        this.aOff = aOff;
        this.lda = lda;
        this.b = b;
        this.bOff = bOff;
        this.bTrans = bTrans;
        this.ldb = ldb;
        this.c = c;
        this.cOff = cOff;
        this.ldc = ldc;
        this.beta = beta;
    }

    void run() {
        if (m == 0 || n == 0) return;
        if (k == 0) {
            if (beta == 0) for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) c.view.put((int) (cOff + (long) i * ldc + j), 0f);
            return;
        }
        if (NativeBlas.useJava((long) m * n * k)) {
            runJava();
            return;
        }
        if (nativeCall == null) nativeCall = new NativeGemmCall(this);
        nativeCall.run();
    }

    /**
     * The product in Java on heap copies of the operands' regions; C's whole region goes back (gaps unchanged).
     * Package-private for tests, which run it whatever {@link NativeBlas} says; {@code m, n, k > 0}.
     */
    void runJava() {
        float[] ha = region(a, aOff, m, lda, k);
        float[] hb = bTrans ? region(b, bOff, n, ldb, k) : region(b, bOff, k, ldb, n);
        float[] hc = region(c, cOff, m, ldc, n);
        JavaGemm.sgemm(m, n, k, ha, 0, lda, hb, 0, ldb, bTrans, beta, hc, 0, ldc);
        c.view.put((int) cOff, hc, 0, hc.length);
    }

    /** A heap copy of the {@code rows × cols} matrix at {@code off} (leading dimension {@code ld}) with its gaps. */
    private static float[] region(NativeFloats f, long off, int rows, int ld, int cols) {
        float[] h = new float[(rows - 1) * ld + cols];
        f.view.get((int) off, h, 0, h.length);
        return h;
    }
}
