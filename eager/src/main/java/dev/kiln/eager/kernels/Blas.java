package dev.kiln.eager.kernels;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_dgemm;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

import dev.kiln.eager.Parallel;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;

/**
 * GEMM through OpenBLAS (JavaCPP binding) for float32 and float64 operands held in heap arrays.
 *
 * <p><b>Why operands are copied to off-heap scratch.</b> JavaCPP passes a {@code float[]} (or a heap
 * {@code FloatBuffer}, which it unwraps to its array) with JNI's {@code GetFloatArrayElements}, which on HotSpot
 * copies the <em>whole</em> array in and back out on every call, whatever part the matrix covers: a 3×4 matrix
 * inside a 4M-element storage cost 37 ms per call when measured, against 7 µs for copying just the matrix.
 * A heap buffer made with {@code FloatBuffer.wrap(a, off, len).slice()} (non-zero array offset) even crashes the
 * JVM ({@code free(): invalid pointer}) when JavaCPP releases it. So each operand is copied, exactly the
 * elements the matrix covers, into a per-thread off-heap scratch buffer with bulk {@code put}s, and the result
 * is copied back with one bulk {@code get}. See {@code docs/storage.md} for what this costs next to data that
 * already lives off the heap.
 *
 * <p><b>Transposes.</b> An operand whose rows are contiguous runs is passed as {@code CblasNoTrans}; one whose
 * columns are contiguous (a transposed contiguous view, strides {@code (1, rows)}) is passed as
 * {@code CblasTrans}; both need only bulk copies. Any other layout (e.g. broadcast stride 0) is gathered.
 *
 * <p><b>Threads.</b> OpenBLAS always runs single-threaded: its own pool spins between calls, and next to Kiln's
 * {@link Parallel} pool on a 2-vCPU machine that made 2-thread runs of small models 10–100× slower (a parallel
 * region waiting for a descheduled peer; {@code docs/benchmarks.md}). A product of at least {@link #SPLIT_FMAS}
 * multiply-adds is split instead over {@link Parallel}'s threads — by rows of {@code C} when it has at least as
 * many rows as columns, else by columns, in blocks of a multiple of 16 — each block one single-threaded GEMM on
 * the shared packed operands. Scratch buffers up to {@value #KEEP_ELEMENTS} elements stay allocated per thread;
 * larger ones are freed after the call.
 */
final class Blas {
    /** Scratch buffers up to this many elements are kept for reuse; bigger ones are freed after each call. */
    static final int KEEP_ELEMENTS = 1 << 22;

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** Multiply-adds from which a product is split over Kiln's threads (~50–100 µs of one-thread sgemm). */
    static final long SPLIT_FMAS = 1L << 22;

    static {
        NativeBlas.load(); // the one JavaCPP initialisation (see NativeBlas); sets OpenBLAS to one thread
    }

    private Blas() {}

    /**
     * {@code C = A · B} where {@code C} is the contiguous {@code m × n} block of {@code c} starting at
     * {@code cOff}; {@code a} is {@code m × k} and {@code b} is {@code k × n}, all of one element type
     * ({@code float[]}, {@code double[]}, {@code int[]} or {@code long[]}; integers go to {@link JavaGemm}).
     * When {@code k == 0} the block is zero-filled.
     */
    static void gemm(Matrix a, Matrix b, Object c, int cOff) {
        int m = a.rows();
        int k = a.cols();
        int n = b.cols();
        if (b.rows() != k) throw new IllegalArgumentException("gemm: inner sizes " + k + " and " + b.rows());
        if (m == 0 || n == 0) return;
        if (k == 0) {
            zero(c, cOff, m * n);
            return;
        }
        if (c instanceof float[] cf) sgemm(a, b, cf, cOff);
        else if (c instanceof double[] cd) dgemm(a, b, cd, cOff);
        else JavaGemm.gemm(a, b, c, cOff);
    }

    private static void sgemm(Matrix a, Matrix b, float[] c, int cOff) {
        int m = a.rows();
        int k = a.cols();
        int n = b.cols();
        Scratch s = SCRATCH.get();
        try {
            FloatPointer pa = s.floats(0, (long) m * k);
            FloatPointer pb = s.floats(1, (long) k * n);
            FloatPointer pc = s.floats(2, (long) m * n);
            Layout la = pack(a, s.floatView(0));
            Layout lb = pack(b, s.floatView(1));
            split(m, n, k, (i0, i1, j0, j1) -> cblas_sgemm(CblasRowMajor, la.trans, lb.trans, i1 - i0, j1 - j0, k, 1f,
                    at(pa, la.rowOffset(i0)), la.ld, at(pb, lb.colOffset(j0)), lb.ld, 0f, at(pc, (long) i0 * n + j0), n));
            s.floatView(2).get(0, c, cOff, m * n);
        } finally {
            s.trim();
        }
    }

    private static void dgemm(Matrix a, Matrix b, double[] c, int cOff) {
        int m = a.rows();
        int k = a.cols();
        int n = b.cols();
        Scratch s = SCRATCH.get();
        try {
            DoublePointer pa = s.doubles(0, (long) m * k);
            DoublePointer pb = s.doubles(1, (long) k * n);
            DoublePointer pc = s.doubles(2, (long) m * n);
            Layout la = pack(a, s.doubleView(0));
            Layout lb = pack(b, s.doubleView(1));
            split(m, n, k, (i0, i1, j0, j1) -> cblas_dgemm(CblasRowMajor, la.trans, lb.trans, i1 - i0, j1 - j0, k, 1.0,
                    at(pa, la.rowOffset(i0)), la.ld, at(pb, lb.colOffset(j0)), lb.ld, 0.0, at(pc, (long) i0 * n + j0), n));
            s.doubleView(2).get(0, c, cOff, m * n);
        } finally {
            s.trim();
        }
    }

    /** How a packed operand is to be read by cblas. */
    private record Layout(int trans, int ld) {
        /** Offset of row {@code i} of the operand as a left factor ({@code m × k}). */
        long rowOffset(int i) { return trans == CblasNoTrans ? (long) i * ld : i; }

        /** Offset of column {@code j} of the operand as a right factor ({@code k × n}). */
        long colOffset(int j) { return trans == CblasNoTrans ? j : (long) j * ld; }
    }

    /** One block {@code C[i0:i1, j0:j1]} of a split product. */
    @FunctionalInterface
    private interface Block {
        void run(int i0, int i1, int j0, int j1);
    }

    /** Runs {@code block} over all of {@code C}, or over row or column blocks on Kiln's threads when large. */
    private static void split(int m, int n, int k, Block block) {
        int threads = Parallel.numThreads();
        boolean rows = m >= n;
        int len = rows ? m : n;
        int chunks = (long) m * n * k < SPLIT_FMAS ? 1 : Math.min(threads, Math.max(1, len / 16));
        if (chunks <= 1) {
            block.run(0, m, 0, n);
            return;
        }
        int per = ((len + chunks - 1) / chunks + 15) / 16 * 16;
        int count = (len + per - 1) / per;
        Parallel.forRange(count, 1, (s, e) -> {
            for (int c = s; c < e; c++) {
                int lo = c * per;
                int hi = Math.min(len, lo + per);
                if (rows) block.run(lo, hi, 0, n);
                else block.run(0, m, lo, hi);
            }
        });
    }

    private static FloatPointer at(FloatPointer p, long offset) {
        return offset == 0 ? p : new FloatPointer(p).position(offset);
    }

    private static DoublePointer at(DoublePointer p, long offset) {
        return offset == 0 ? p : new DoublePointer(p).position(offset);
    }

    /** Copies the elements of {@code a} into {@code dst} (from index 0) in a layout cblas reads directly. */
    private static Layout pack(Matrix a, FloatBuffer dst) {
        float[] src = (float[]) a.array();
        int rows = a.rows();
        int cols = a.cols();
        if (a.rowMajor()) {
            if (rows == 1 || a.rowStride() == cols) dst.put(0, src, a.offset(), rows * cols);
            else for (int i = 0; i < rows; i++) dst.put(i * cols, src, a.offset() + i * a.rowStride(), cols);
            return new Layout(CblasNoTrans, cols);
        }
        if (a.colMajor()) {
            // Stored column by column: the transpose of a row-major cols × rows matrix.
            if (cols == 1 || a.colStride() == rows) dst.put(0, src, a.offset(), rows * cols);
            else for (int j = 0; j < cols; j++) dst.put(j * rows, src, a.offset() + j * a.colStride(), rows);
            return new Layout(CblasTrans, rows);
        }
        float[] tmp = new float[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) tmp[i * cols + j] = src[a.index(i, j)];
        }
        dst.put(0, tmp, 0, tmp.length);
        return new Layout(CblasNoTrans, cols);
    }

    private static Layout pack(Matrix a, DoubleBuffer dst) {
        double[] src = (double[]) a.array();
        int rows = a.rows();
        int cols = a.cols();
        if (a.rowMajor()) {
            if (rows == 1 || a.rowStride() == cols) dst.put(0, src, a.offset(), rows * cols);
            else for (int i = 0; i < rows; i++) dst.put(i * cols, src, a.offset() + i * a.rowStride(), cols);
            return new Layout(CblasNoTrans, cols);
        }
        if (a.colMajor()) {
            if (cols == 1 || a.colStride() == rows) dst.put(0, src, a.offset(), rows * cols);
            else for (int j = 0; j < cols; j++) dst.put(j * rows, src, a.offset() + j * a.colStride(), rows);
            return new Layout(CblasTrans, rows);
        }
        double[] tmp = new double[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) tmp[i * cols + j] = src[a.index(i, j)];
        }
        dst.put(0, tmp, 0, tmp.length);
        return new Layout(CblasNoTrans, cols);
    }

    private static void zero(Object c, int off, int len) {
        if (c instanceof float[] f) java.util.Arrays.fill(f, off, off + len, 0f);
        else if (c instanceof double[] d) java.util.Arrays.fill(d, off, off + len, 0.0);
        else if (c instanceof int[] i) java.util.Arrays.fill(i, off, off + len, 0);
        else if (c instanceof long[] l) java.util.Arrays.fill(l, off, off + len, 0L);
        else throw new IllegalArgumentException("gemm: unsupported output array " + c.getClass().getSimpleName());
    }

    /**
     * One thread's off-heap operand buffers (slots 0, 1, 2 = A, B, C) per element type, each with a direct
     * {@code Buffer} view for bulk copies. Grown on demand; {@link #trim()} frees any above {@link #KEEP_ELEMENTS}.
     */
    private static final class Scratch {
        private final FloatPointer[] floats = new FloatPointer[3];
        private final FloatBuffer[] floatViews = new FloatBuffer[3];
        private final DoublePointer[] doubles = new DoublePointer[3];
        private final DoubleBuffer[] doubleViews = new DoubleBuffer[3];

        FloatPointer floats(int slot, long n) {
            FloatPointer p = floats[slot];
            if (p == null || p.capacity() < n) {
                if (p != null) p.close();
                p = new FloatPointer(Math.max(n, 256));
                floats[slot] = p;
                floatViews[slot] = p.asBuffer();
            }
            return p;
        }

        FloatBuffer floatView(int slot) { return floatViews[slot]; }

        DoublePointer doubles(int slot, long n) {
            DoublePointer p = doubles[slot];
            if (p == null || p.capacity() < n) {
                if (p != null) p.close();
                p = new DoublePointer(Math.max(n, 256));
                doubles[slot] = p;
                doubleViews[slot] = p.asBuffer();
            }
            return p;
        }

        DoubleBuffer doubleView(int slot) { return doubleViews[slot]; }

        void trim() {
            for (int i = 0; i < 3; i++) {
                if (floats[i] != null && floats[i].capacity() > KEEP_ELEMENTS) {
                    floats[i].close();
                    floats[i] = null;
                    floatViews[i] = null;
                }
                if (doubles[i] != null && doubles[i].capacity() > KEEP_ELEMENTS) {
                    doubles[i].close();
                    doubles[i] = null;
                    doubleViews[i] = null;
                }
            }
        }
    }
}
