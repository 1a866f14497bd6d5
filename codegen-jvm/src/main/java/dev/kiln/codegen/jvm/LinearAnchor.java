package dev.kiln.codegen.jvm;

import dev.kiln.codegen.jvm.vector.PanelGemm;
import dev.kiln.eager.KilnException;
import dev.kiln.eager.Parallel;
import dev.kiln.eager.Tensor;
import java.util.Arrays;

/**
 * {@code linear(x, W, b)} and {@code matmul/mm(x, W)} with a constant 2-d {@code W}: {@code x [..., K]} times the
 * weight packed as {@code linear} stores it, {@code N × K} row-major ({@code matmul}'s {@code K × N} is transposed
 * once at compile time) and read transposed ({@code sgemm} with {@code B} transposed, or one {@code sgemv} per row
 * for at most {@link GemmCall#GEMV_ROWS} rows), plus {@code b}
 * through {@code beta = 1} on a result buffer pre-filled from a bias block broadcast to {@code M} rows once per
 * frame. Per call: one bulk copy of {@code x} off the heap, one {@code sgemm} (split by columns over threads when
 * large, {@link GemmCall}), one bulk copy of the {@code M × N} result back.
 *
 * <p><b>Vector panels.</b> When the Vector API is in use ({@code vector}), the weight is also packed on the heap
 * into {@link PanelGemm} panels, and a call of {@link #PANEL_MIN_ROWS} to {@link #PANEL_ROWS} rows runs
 * {@link PanelGemm} straight from the input's array into the result array (bias included, no off-heap copies),
 * reading the weight once per four rows instead of once per row ({@code docs/codegen-jvm.md}: measured against
 * {@code sgemv}/{@code sgemm}), split over threads from {@link GemmCall#SPLIT_FMAS}: by panels, or by blocks of
 * four rows when there are fewer panels than threads. Other row counts
 * keep the BLAS path. {@link PanelGemm} is loaded only when {@code vector} is set, so a JVM without
 * {@code jdk.incubator.vector} never resolves it.
 *
 * <p><b>Warm-up gate.</b> Until {@link AnchorGate#PANEL_GEMM} is ready (C2 has compiled {@link PanelGemm}), a
 * panel-sized call runs the BLAS form instead, from a second per-frame {@link State} made on the first such call
 * and kept (so the gate may close and open again without allocating); once ready, each panel call is timed for the
 * gate's guard.
 */
final class LinearAnchor extends GemmAnchor {
    private final String op;
    private final int k;
    private final int n;
    private final NativeFloats w;
    private final float[] bias;
    /**
     * Row counts {@code [PANEL_MIN_ROWS, PANEL_ROWS]} run by {@link PanelGemm} instead of BLAS (measured on the
     * conformance models' linear shapes, docs/codegen-jvm.md: panels win from 3 to 64 rows; for 1–2 rows
     * {@code sgemv} is as fast or faster, and from ~128 rows {@code sgemm}).
     */
    static final int PANEL_MIN_ROWS = 3;
    static final int PANEL_ROWS = 64;
    /** Rows per piece when a panel product is split by rows: {@link PanelGemm}'s own block of four rows. */
    static final int ROW_BLOCK = 4;
    /** The weight in {@link PanelGemm} panels, or null when the Vector API is not used. */
    private final float[] panels;
    /** The bias padded to whole panels (zeros when there is none); null with {@link #panels}. */
    private final float[] panelBias;

    /** Per-frame buffers, for one row count {@code m}. */
    private static final class State {
        final int m;
        final long[] shape;
        final NativeFloats a;
        final NativeFloats c;
        final NativeFloats biasBlock;
        final GemmCall call;

        /** The PanelGemm form: the input's array and offset of the current call, for {@link #panelBody}. */
        final float[] scratch;
        final boolean panel;
        final Parallel.RangeBody panelBody;
        /**
         * The PanelGemm form split by blocks of {@link #ROW_BLOCK} rows instead of by panels (for products too
         * narrow to give each thread a panel); block {@code b}'s partial panels go through {@code rowScratch[b]}.
         */
        final Parallel.RangeBody rowBody;
        final float[][] rowScratch;
        float[] x;
        int xOff;
        /** The input's row stride in the current call ({@code k} when dense). */
        int ldx;
        float[] out;
        /** The panel form: the BLAS form of the same shape, run while the gate is closed (made on first need). */
        State blas;
        /** Whether the last call ran the panel form (tests). */
        boolean lastPanel;

        State(int m, long[] shape, int k, int n, NativeFloats w, float[] bias, float[] panels, float[] panelBias) {
            this.m = m;
            this.shape = shape;
            panel = panels != null && m >= PANEL_MIN_ROWS && m <= PANEL_ROWS;
            if (panel) {
                scratch = new float[PanelGemm.WIDTH];
                panelBody = (p0, p1) -> PanelGemm.run(m, n, k, x, xOff, ldx, panels, panelBias, out, 0, n, p0, p1,
                        scratch);
                rowScratch = new float[(m + ROW_BLOCK - 1) / ROW_BLOCK][PanelGemm.WIDTH];
                int np = PanelGemm.panels(n);
                rowBody = (b0, b1) -> {
                    int r0 = b0 * ROW_BLOCK;
                    int rows = Math.min(m, b1 * ROW_BLOCK) - r0;
                    PanelGemm.run(rows, n, k, x, xOff + r0 * ldx, ldx, panels, panelBias, out, r0 * n, n, 0, np,
                            rowScratch[b0]);
                };
                a = null;
                c = null;
                biasBlock = null;
                call = null;
                return;
            }
            scratch = null;
            panelBody = null;
            rowBody = null;
            rowScratch = null;
            a = new NativeFloats((long) m * k);
            c = new NativeFloats((long) m * n);
            if (bias != null) {
                float[] rows = new float[m * n];
                for (int i = 0; i < m; i++) System.arraycopy(bias, 0, rows, i * n, n);
                biasBlock = NativeFloats.of(rows);
            } else {
                biasBlock = null;
            }
            call = new GemmCall(m, n, k, a, 0, k, w, 0, true, k, c, 0, n, bias == null ? 0f : 1f);
        }
    }

    /**
     * @param op        the op's name, for messages
     * @param weightNK  the weight as a row-major {@code N × K} matrix
     * @param bias      {@code N} values, or null
     */
    private LinearAnchor(String op, int k, int n, float[] weightNK, float[] bias, boolean vector) {
        this.op = op;
        this.k = k;
        this.n = n;
        this.w = NativeFloats.of(weightNK);
        this.bias = bias;
        this.panels = vector ? PanelGemm.pack(weightNK, n, k) : null;
        this.panelBias = vector ? PanelGemm.packBias(bias, n) : null;
        if (vector) AnchorGate.PANEL_GEMM.start();
    }

    /**
     * {@code linear}: {@code W [N, K]} (any layout), {@code b} null, {@code [N]} or one value.
     *
     * @param vector whether to pack {@link PanelGemm} panels too (the Vector API is in use)
     */
    static LinearAnchor linear(Tensor weight, Tensor bias, boolean vector) {
        int n = weight.intShape()[0];
        int k = weight.intShape()[1];
        return new LinearAnchor("aten::linear", k, n, floats(weight), bias == null ? null : biasRow(bias, n), vector);
    }

    /** {@code matmul}/{@code mm} by a constant {@code W [K, N]}. */
    static LinearAnchor matmul(String op, Tensor weight, boolean vector) {
        int k = weight.intShape()[0];
        int n = weight.intShape()[1];
        float[] src = floats(weight);
        float[] wt = new float[n * k];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < n; j++) wt[j * k + i] = src[i * n + j];
        }
        return new LinearAnchor(op, k, n, wt, null, vector);
    }

    private static float[] biasRow(Tensor bias, int n) {
        float[] v = floats(bias);
        float[] b = new float[n];
        for (int j = 0; j < n; j++) b[j] = v.length == 1 ? v[0] : v[j];
        return b;
    }

    @Override
    String describe() {
        return op + " by a constant " + n + "x" + k + " weight packed off-heap (N x K)" + (bias == null ? "" : ", bias by beta=1")
                + (panels == null ? "" : "; " + PANEL_MIN_ROWS + " to " + PANEL_ROWS + " rows by Vector API panels of " + PanelGemm.WIDTH
                + " columns");
    }

    @Override
    float[] run(Frame f, int id, Tensor[] in, int slot) {
        Tensor x = in[0];
        requireFloat(op, "input", x);
        int[] xs = x.intShape();
        if (xs.length == 0 || xs[xs.length - 1] != k) {
            throw new KilnException(op + ": expected 'input' with " + k + " features in its last dimension, found shape "
                    + Arrays.toString(xs));
        }
        int m = (int) (x.numel() / Math.max(1, k));
        State s = (State) f.anchorState(id);
        if (s == null || s.m != m || !sameLead(s.shape, xs)) {
            long[] shape = new long[xs.length];
            for (int d = 0; d < xs.length - 1; d++) shape[d] = xs[d];
            shape[xs.length - 1] = n;
            s = new State(m, shape, k, n, w, bias, panels, panelBias);
            f.anchorState(id, s);
        }
        if (s.panel && !AnchorGate.PANEL_GEMM.ready()) {
            AnchorGate.PANEL_GEMM.start();
            if (s.blas == null) s.blas = new State(m, s.shape, k, n, w, bias, null, null);
            s.lastPanel = false;
            return blas(f, slot, s.blas, rows(x), m);
        }
        Tensor xd = rows(x);
        int ldx = rowStride(xd, k);
        if (s.panel) {
            s.lastPanel = true;
            long t0 = System.nanoTime();
            float[] out = result(f, slot, m * n);
            int np = PanelGemm.panels(n);
            int threads = Parallel.numThreads();
            boolean byRows = np < threads && m >= 2 * ROW_BLOCK;
            // The work counted as done: whole panels (10 columns cost as much as 16).
            long fmas = (long) m * np * PanelGemm.WIDTH * k;
            if (fmas >= GemmCall.SPLIT_FMAS && threads > 1 && (np > 1 || byRows)) {
                s.x = (float[]) xd.storage().array();
                s.xOff = xd.storageOffset();
                s.ldx = ldx;
                s.out = out;
                try {
                    // By panels when every thread gets one (each reads the input once more, from cache); else,
                    // e.g. a classifier's 10 outputs in one panel, by blocks of rows (each reads the weight).
                    int blocks = (m + ROW_BLOCK - 1) / ROW_BLOCK;
                    if (byRows) Parallel.forRangeShared(blocks, sharePiece(blocks), s.rowBody);
                    else Parallel.forRangeShared(np, sharePiece(np), s.panelBody);
                } finally {
                    s.x = null;
                    s.out = null;
                }
            } else {
                PanelGemm.run(m, n, k, (float[]) xd.storage().array(), xd.storageOffset(), ldx, panels, panelBias, out, 0,
                        n, 0, np, s.scratch);
            }
            AnchorGate.PANEL_GEMM.timed((long) m * n * k, System.nanoTime() - t0);
            return out;
        }
        return blas(f, slot, s, xd, m);
    }

    /** The BLAS form of {@link #run} on state {@code s}. */
    private float[] blas(Frame f, int slot, State s, Tensor xd, int m) {
        int ldx = rowStride(xd, k);
        float[] xa = (float[]) xd.storage().array();
        if (ldx == k) {
            s.a.view.put(0, xa, xd.storageOffset(), m * k);
        } else {
            for (int i = 0; i < m; i++) s.a.view.put(i * k, xa, xd.storageOffset() + i * ldx, k);
        }
        if (s.biasBlock != null) s.c.copyFrom(s.biasBlock);
        s.call.run();
        float[] out = result(f, slot, m * n);
        s.c.view.get(0, out, 0, m * n);
        return out;
    }

    /** Tests: whether the last call of node {@code id} in {@code f} ran {@link PanelGemm} (else BLAS). */
    @Override
    boolean lastRanVector(Frame f, int id) {
        State s = (State) f.anchorState(id);
        return s != null && s.panel && s.lastPanel;
    }

    @Override
    void gates(java.util.Set<AnchorGate> into) {
        if (panels != null) into.add(AnchorGate.PANEL_GEMM);
    }

    /**
     * {@code x} itself when its rows (last dim, {@code k} values) are contiguous runs at one stride — a row of a
     * batch ({@code select}), a slice of rows — so the GEMM reads it in place ({@link #rowStride}); else a dense copy
     * (allocates; other views).
     */
    private Tensor rows(Tensor x) { return rowStride(x, k) > 0 ? x : dense(x); }

    /**
     * The distance between consecutive rows of {@code x} seen as an {@code [numel/k, k]} matrix, or -1 when its
     * rows are not contiguous runs at one stride (the last dim's stride is not 1, or the leading dims do not fold).
     */
    static int rowStride(Tensor x, int k) {
        if (x.isContiguous()) return x.dim() > 0 && x.size(x.dim() - 1) == k ? k : -1;
        // Sizes and strides one by one: no array copies on the per-call path.
        int r = x.dim();
        if (r == 0 || x.size(r - 1) != k || k > 1 && x.stride(r - 1) != 1) return -1;
        int ld = -1;
        long next = -1; // the stride the next-outer non-unit dim must have to fold with the ones inside it
        for (int d = r - 2; d >= 0; d--) {
            long size = x.size(d);
            if (size == 1) continue;
            int stride = x.stride(d);
            if (ld < 0) {
                if (stride < k) return -1; // rows must not overlap
                ld = stride;
            } else if (stride != next) {
                return -1;
            }
            next = (long) stride * size;
        }
        return ld < 0 ? k : ld;
    }

    private static boolean sameLead(long[] shape, int[] xs) {
        if (shape.length != xs.length) return false;
        for (int d = 0; d < xs.length - 1; d++) if (shape[d] != xs[d]) return false;
        return true;
    }

    @Override
    long[] shape(Frame f, int id) { return ((State) f.anchorState(id)).shape; }
}
