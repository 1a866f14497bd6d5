package dev.kiln.codegen.jvm;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemv;

import dev.kiln.eager.Parallel;
import dev.kiln.eager.kernels.NativeBlas;
import org.bytedeco.javacpp.FloatPointer;

/**
 * The OpenBLAS form of a {@link GemmCall}: its JavaCPP pointers, made once, and the {@code sgemm}/{@code sgemv}
 * calls (the forms and thread split described on {@link GemmCall}). Made on a call's first native run, after
 * {@link NativeBlas#load()}. Not thread-safe, like its call.
 */
final class NativeGemmCall {
    static {
        NativeBlas.load(); // JavaCPP and OpenBLAS (one thread), initialised by one thread only
    }

    private final GemmCall g;
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

    NativeGemmCall(GemmCall g) {
        this.g = g;
        a0 = at(g.a, g.aOff);
        b0 = at(g.b, g.bOff);
        c0 = at(g.c, g.cOff);
        if (g.m <= GemmCall.GEMV_ROWS) {
            aRows = new FloatPointer[g.m];
            cRows = new FloatPointer[g.m];
            for (int i = 0; i < g.m; i++) {
                aRows[i] = at(g.a, g.aOff + (long) i * g.lda);
                cRows[i] = at(g.c, g.cOff + (long) i * g.ldc);
            }
        }
    }

    /** The product, {@code m, n, k > 0}. */
    void run() {
        int m = g.m;
        int n = g.n;
        boolean split = (long) m * n * g.k >= GemmCall.SPLIT_FMAS && Parallel.numThreads() > 1;
        if (m <= GemmCall.GEMV_ROWS) {
            if (split && m > 1) Parallel.forRange(m, 1, rowBody);
            else rows(0, m);
            return;
        }
        int want = split ? Math.min(Parallel.numThreads(), Math.max(1, n / 16)) : 1;
        if (want <= 1) {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, g.bTrans ? CblasTrans : CblasNoTrans, m, n, g.k, 1f, a0, g.lda,
                    b0, g.ldb, g.beta, c0, g.ldc);
            return;
        }
        if (want != blocks) split(want);
        Parallel.forRange(blocks, 1, blockBody);
    }

    /** Rows {@code [start, end)} of C, one {@code sgemv} each: {@code C_i = op(B)ᵀ A_i}. */
    private void rows(int start, int end) {
        for (int i = start; i < end; i++) {
            if (g.bTrans) {
                cblas_sgemv(CblasRowMajor, CblasNoTrans, g.n, g.k, 1f, b0, g.ldb, aRows[i], 1, g.beta, cRows[i], 1);
            } else {
                cblas_sgemv(CblasRowMajor, CblasTrans, g.k, g.n, 1f, b0, g.ldb, aRows[i], 1, g.beta, cRows[i], 1);
            }
        }
    }

    private void split(int want) {
        per = ((g.n + want - 1) / want + 15) / 16 * 16;
        blocks = (g.n + per - 1) / per;
        bBlocks = new FloatPointer[blocks];
        cBlocks = new FloatPointer[blocks];
        for (int i = 0; i < blocks; i++) {
            long j0 = (long) i * per;
            bBlocks[i] = at(g.b, g.bOff + (g.bTrans ? j0 * g.ldb : j0));
            cBlocks[i] = at(g.c, g.cOff + j0);
        }
    }

    /** A pointer to element {@code offset} of {@code f} (non-owning: {@code f}'s buffer keeps the memory alive). */
    private static FloatPointer at(NativeFloats f, long offset) {
        return new FloatPointer(f.view).position(offset);
    }

    private void blocks(int start, int end) {
        for (int i = start; i < end; i++) {
            int cols = Math.min(per, g.n - i * per);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, g.bTrans ? CblasTrans : CblasNoTrans, g.m, cols, g.k, 1f, a0,
                    g.lda, bBlocks[i], g.ldb, g.beta, cBlocks[i], g.ldc);
        }
    }
}
