package dev.kiln.codegen.jvm;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.blas_set_num_threads;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemv;

import dev.kiln.eager.Parallel;
import org.bytedeco.javacpp.FloatPointer;

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
 * <p>Not thread-safe: a call site belongs to one frame, which belongs to one thread.
 */
final class GemmCall {
    /** Products of at most this many rows run as one {@code sgemv} per row. */
    static final int GEMV_ROWS = 8;
    /** Multiply-adds from which a product is split over threads (~50–100 µs of single-thread work). */
    static final long SPLIT_FMAS = 1L << 22;

    static {
        // The same policy as the eager module's Blas: OpenBLAS never threads on its own.
        blas_set_num_threads(1);
    }

    private final int m;
    private final int n;
    private final int k;
    private final NativeFloats a;
    private final long aOff;
    private final int lda;
    private final NativeFloats b;
    private final long bOff;
    private final boolean bTrans;
    private final int ldb;
    private final NativeFloats c;
    private final long cOff;
    private final int ldc;
    private final float beta;
    private final FloatPointer a0;
    private final FloatPointer b0;
    private final FloatPointer c0;
    /** sgemv form: row i of A and of C. */
    private FloatPointer[] aRows;
    private FloatPointer[] cRows;
    /** Split sgemm form: the blocks' column offsets into B and C, for {@link #blocks} blocks of {@link #per}. */
    private int blocks;
    private int per;
    private FloatPointer[] bBlocks;
    private FloatPointer[] cBlocks;
    private final Parallel.RangeBody rowBody = this::rows;
    private final Parallel.RangeBody blockBody = this::blocks;

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
        a0 = a.at(aOff);
        b0 = b.at(bOff);
        c0 = c.at(cOff);
        if (m <= GEMV_ROWS) {
            aRows = new FloatPointer[m];
            cRows = new FloatPointer[m];
            for (int i = 0; i < m; i++) {
                aRows[i] = a.at(aOff + (long) i * lda);
                cRows[i] = c.at(cOff + (long) i * ldc);
            }
        }
    }

    void run() {
        if (m == 0 || n == 0) return;
        if (k == 0) {
            if (beta == 0) for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) c.view.put((int) (cOff + (long) i * ldc + j), 0f);
            return;
        }
        boolean split = (long) m * n * k >= SPLIT_FMAS && Parallel.numThreads() > 1;
        if (m <= GEMV_ROWS) {
            if (split && m > 1) Parallel.forRange(m, 1, rowBody);
            else rows(0, m);
            return;
        }
        int want = split ? Math.min(Parallel.numThreads(), Math.max(1, n / 16)) : 1;
        if (want <= 1) {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, bTrans ? CblasTrans : CblasNoTrans, m, n, k, 1f, a0, lda, b0, ldb,
                    beta, c0, ldc);
            return;
        }
        if (want != blocks) split(want);
        Parallel.forRange(blocks, 1, blockBody);
    }

    /** Rows {@code [start, end)} of C, one {@code sgemv} each: {@code C_i = op(B)ᵀ A_i}. */
    private void rows(int start, int end) {
        for (int i = start; i < end; i++) {
            if (bTrans) cblas_sgemv(CblasRowMajor, CblasNoTrans, n, k, 1f, b0, ldb, aRows[i], 1, beta, cRows[i], 1);
            else cblas_sgemv(CblasRowMajor, CblasTrans, k, n, 1f, b0, ldb, aRows[i], 1, beta, cRows[i], 1);
        }
    }

    private void split(int want) {
        per = ((n + want - 1) / want + 15) / 16 * 16;
        blocks = (n + per - 1) / per;
        bBlocks = new FloatPointer[blocks];
        cBlocks = new FloatPointer[blocks];
        for (int i = 0; i < blocks; i++) {
            long j0 = (long) i * per;
            bBlocks[i] = b.at(bOff + (bTrans ? j0 * ldb : j0));
            cBlocks[i] = c.at(cOff + j0);
        }
    }

    private void blocks(int start, int end) {
        for (int i = start; i < end; i++) {
            int cols = Math.min(per, n - i * per);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, bTrans ? CblasTrans : CblasNoTrans, m, cols, k, 1f, a0, lda,
                    bBlocks[i], ldb, beta, cBlocks[i], ldc);
        }
    }
}
