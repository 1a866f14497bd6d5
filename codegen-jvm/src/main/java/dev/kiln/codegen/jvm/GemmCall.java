package dev.kiln.codegen.jvm;

import static org.bytedeco.openblas.global.openblas.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas.blas_set_num_threads;
import static org.bytedeco.openblas.global.openblas.cblas_sgemm;

import dev.kiln.eager.Parallel;
import org.bytedeco.javacpp.FloatPointer;

/**
 * One {@code cblas_sgemm} call site of a compiled anchor, bound once per execution context ({@link Frame}):
 * {@code C = A·B + beta·C}, all row-major and {@code NoTrans}, on off-heap memory that lives as long as the frame
 * (activations, results) or the module (packed weights).
 *
 * <p><b>Threads.</b> OpenBLAS always runs single-threaded in Kiln (its own pool spins between calls and, next to
 * Kiln's {@link Parallel} pool on two cores, made 2-thread runs 10–100× slower; see {@code docs/benchmarks.md}).
 * A product of at least {@link #SPLIT_FMAS} multiply-adds is instead split by columns of {@code C} (blocks of a
 * multiple of 16 columns) over {@link Parallel}'s threads, one single-threaded {@code sgemm} per block, each block
 * reading all of {@code A} and its own columns of {@code B}. Smaller products run on the calling thread: waking a
 * parked worker costs more than they take. The per-block pointers are made once per thread count.
 *
 * <p>Not thread-safe: a call site belongs to one frame, which belongs to one thread.
 */
final class GemmCall {
    /** Multiply-adds from which a product is split over threads (~50–100 µs of single-thread sgemm). */
    static final long SPLIT_FMAS = 1L << 22;

    static {
        // The same policy as the eager module's Blas: OpenBLAS never threads on its own.
        blas_set_num_threads(1);
    }

    private final int m;
    private final int n;
    private final int k;
    private final FloatPointer a;
    private final int lda;
    private final NativeFloats b;
    private final long bOff;
    private final int ldb;
    private final NativeFloats c;
    private final long cOff;
    private final int ldc;
    private final float beta;
    private final FloatPointer b0;
    private final FloatPointer c0;
    /** Per-block pointers for {@link #blocks} blocks (null until a split run). */
    private int blocks;
    private int per;
    private FloatPointer[] bBlocks;
    private FloatPointer[] cBlocks;
    private final Parallel.RangeBody body = this::blocks;

    /**
     * @param a    {@code m × k}, leading dimension {@code lda}, from its pointer's position
     * @param b    {@code k × n} at {@code bOff}, leading dimension {@code ldb}
     * @param c    {@code m × n} at {@code cOff}, leading dimension {@code ldc}; read when {@code beta != 0}
     */
    GemmCall(int m, int n, int k, FloatPointer a, int lda, NativeFloats b, long bOff, int ldb, NativeFloats c,
             long cOff, int ldc, float beta) {
        this.m = m;
        this.n = n;
        this.k = k;
        this.a = a;
        this.lda = lda;
        this.b = b;
        this.bOff = bOff;
        this.ldb = ldb;
        this.c = c;
        this.cOff = cOff;
        this.ldc = ldc;
        this.beta = beta;
        b0 = bOff == 0 ? b.ptr : b.at(bOff);
        c0 = cOff == 0 ? c.ptr : c.at(cOff);
    }

    void run() {
        if (m == 0 || n == 0 || k == 0) {
            if (m > 0 && n > 0 && beta == 0) {
                for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) c.view.put((int) (cOff + (long) i * ldc + j), 0f);
            }
            return;
        }
        int threads = Parallel.numThreads();
        int want = (long) m * n * k < SPLIT_FMAS ? 1 : Math.min(threads, Math.max(1, n / 16));
        if (want <= 1) {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1f, a, lda, b0, ldb, beta, c0, ldc);
            return;
        }
        if (want != blocks) split(want);
        Parallel.forRange(blocks, 1, body);
    }

    private void split(int want) {
        per = ((n + want - 1) / want + 15) / 16 * 16;
        blocks = (n + per - 1) / per;
        bBlocks = new FloatPointer[blocks];
        cBlocks = new FloatPointer[blocks];
        for (int i = 0; i < blocks; i++) {
            bBlocks[i] = b.at(bOff + (long) i * per);
            cBlocks[i] = c.at(cOff + (long) i * per);
        }
    }

    private void blocks(int start, int end) {
        for (int i = start; i < end; i++) {
            int cols = Math.min(per, n - i * per);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, cols, k, 1f, a, lda, bBlocks[i], ldb, beta,
                    cBlocks[i], ldc);
        }
    }
}
