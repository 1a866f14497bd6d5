package dev.kiln.codegen.jvm;

import dev.kiln.codegen.jvm.vector.DirectConv;
import dev.kiln.codegen.jvm.vector.PanelGemm;
import dev.kiln.codegen.jvm.vector.WinogradRows;
import dev.kiln.eager.KilnException;
import dev.kiln.eager.Parallel;
import dev.kiln.eager.Tensor;
import java.util.Arrays;

/**
 * {@code conv2d} with a constant weight {@code [O, C/g, kh, kw]} and constant stride, padding, dilation and groups:
 * im2col of the <em>whole batch</em> into a {@code (C·kh·kw) × (N·L)} column matrix ({@code L = oh·ow}), then one
 * {@code sgemm} (or, for at most {@link GemmCall#GEMV_ROWS} output channels per group, one {@code sgemv} per channel)
 * per group, {@code [O/g, C/g·kh·kw] · [C/g·kh·kw, N·L]}, into an {@code O × (N·L)} result that is
 * copied back as {@code [N, O, oh, ow]}; bias through {@code beta = 1} on a pre-broadcast block.
 *
 * <p>The column matrix is built on the heap in a per-frame array and moved off the heap with one bulk copy. With
 * stride 1 it uses the "wide" layout ({@link #wideCol}: one long copy per kernel tap and image); otherwise classic
 * im2col (runs of input rows copied with {@code System.arraycopy}). Padding positions do not depend on the data, so
 * the arrays are zeroed once when the frame makes them and a call writes only the in-bounds runs.
 *
 * <p><b>Vector panels.</b> When the Vector API is in use and a group has {@link LinearAnchor#PANEL_MIN_ROWS} to
 * {@link #PANEL_ROWS} output channels, the GEMM runs instead as {@link PanelGemm} on the heap: the weight
 * (a heap copy) is {@code A}, the column matrix itself is {@code B} (row-major, read in panels of
 * {@link PanelGemm#WIDTH} columns; the array has {@link PanelGemm#WIDTH} spare floats so the last panel may be read
 * whole), the bias is added per row, and the result stays on the heap: no off-heap copies at all.
 *
 * <p><b>Direct (implicit-GEMM) form.</b> With the Vector API, a stride-1 convolution with at least
 * {@link LinearAnchor#PANEL_MIN_ROWS} output channels per group whose output rows fill {@link DirectConv}'s units
 * well enough ({@link #DIRECT_MAX_WASTE}) builds no column matrix at all: the input is copied once into a
 * zero-bordered buffer (reading the tensor through its strides, so views cost no extra copy) and {@link DirectConv}
 * reads the GEMM operand from it in place, writing {@code [N, O, oh, ow]} directly (no transpose, no
 * {@code unwiden}). Split over threads by output units (rows of 16 pixels), each thread computing all channels of
 * its own units, through {@link Parallel#forRangeShared} (the caller works too and never waits for a late worker).
 * A 3-row kernel without row dilation and with at least {@link #WINOGRAD_MIN_K} reduction steps per kernel row takes
 * the <b>row-Winograd</b> variant instead ({@link WinogradRows}: F(2, 3) along the rows, 1.5× fewer multiply-adds;
 * the bordered input has whole-vector rows and an even number of tile rows, and the transforms run on the caller).
 * Which of the direct/Winograd forms and the im2col forms runs is decided per input shape ({@link #directFits}).
 *
 * <p><b>Warm-up gates.</b> A Vector API form runs only once its kernel's {@link AnchorGate} is ready (C2 has
 * compiled it); until then the call runs the BLAS form (im2col + {@code sgemm}/{@code sgemv}, no Vector API) from a
 * second per-frame {@link State} made on the first such call and kept (so the gate may close and open again without
 * allocating). Vector API calls are timed for the gate's guard.
 */
final class ConvAnchor extends GemmAnchor {
    private final int o;
    private final int cg;
    private final int kh;
    private final int kw;
    private final int groups;
    private final int sh;
    private final int sw;
    private final int ph;
    private final int pw;
    private final int dh;
    private final int dw;
    private final NativeFloats w;
    private final float[] bias;
    /**
     * Output channels per group up to which {@link PanelGemm} runs (from {@link LinearAnchor#PANEL_MIN_ROWS}):
     * measured on 3x3 and 5x5 convs of 4 images (docs/codegen-jvm.md), panels win at 6, 16 and 32 channels and lose
     * at 64 (the column matrix is read once per 4 channels).
     */
    static final int PANEL_ROWS = 32;
    /** The weight {@code [O, C/g·kh·kw]} on the heap for {@link PanelGemm}, or null when the Vector API is not used. */
    private final float[] wHeap;
    /**
     * The most computed output columns per real one ({@code ceil(ow / WIDTH)·WIDTH / ow}) for which the direct form
     * runs: beyond it (e.g. {@code ow} 10 or 8 on AVX2, 1.6× and 2×) the im2col forms, whose "wide" columns waste
     * {@code wp / ow}, are kept.
     */
    static final double DIRECT_MAX_WASTE = 1.5;
    /** The packed weight of the direct form (stride 1, Vector API), or null. */
    private final DirectConv direct;
    /**
     * Reduction length per output row ({@code C/g·kw}) from which a stride-1 conv with 3 kernel rows (row dilation
     * 1) runs as {@link WinogradRows} instead of {@link #direct}: below it the four products' short reductions and
     * the transforms cost more than the 1.5× fewer multiply-adds save.
     */
    static final int WINOGRAD_MIN_K = 24;
    /**
     * Multiply-adds from which the direct/Winograd forms share their units with the other threads (~12 µs of work):
     * lower than {@link GemmCall#SPLIT_FMAS} because {@link Parallel#forRangeShared} never makes the caller wait
     * for a worker that has not started, so a split costs little more than handing out the work.
     */
    static final long DIRECT_SPLIT_FMAS = 1L << 20;
    /** The packed, transformed weight of the row-Winograd form, or null (then {@link #direct} is used). */
    private final WinogradRows winograd;

    /** Per-frame buffers for one input shape. */
    private static final class State {
        final int n;
        final int c;
        final int h;
        final int wd;
        final int oh;
        final int ow;
        final long[] shape;
        /** Stride 1: the "wide" layout (below); else classic im2col. */
        final boolean wide;
        final int hp;
        final int wp;
        /** Column-matrix columns per image: {@code oh·wp} when wide, else {@code oh·ow}. */
        final int lw;
        /** Wide with padding: the zero-bordered input copy (borders zeroed once); else null. */
        final float[] padded;
        /** Wide with {@code wp > ow}: the wide GEMM result on the heap, before its valid columns are extracted. */
        final float[] wideOut;
        final float[] col;
        final NativeFloats colN;
        final NativeFloats out;
        final NativeFloats biasBlock;
        final GemmCall[] calls;
        /** The PanelGemm form: the {@code O × cols} result on the heap, or null for the BLAS form. */
        final float[] res;
        final float[] scratch;
        final Parallel.RangeBody[] panelBodies;
        /**
         * The direct/Winograd forms: rows per bordered input plane ({@link #hp}, or more for Winograd) and floats per
         * row ({@link #wp}, or for Winograd {@link WinogradRows#pitch}: whole vectors, so its transform has no
         * scalar tail).
         */
        final int hb;
        final int pitch;
        /** The Winograd form: the transformed input and the four products; else null. */
        final float[] vt;
        final float[] m;
        /** The direct/Winograd forms: reduction offsets into the (transformed) input, unit count, range body. */
        final int[] koff;
        final int units;
        final Parallel.RangeBody directBody;
        /**
         * The Winograd form's input transform over images and output transform over output planes, as range bodies
         * for sharing between threads like {@link #directBody}; null for the other forms.
         */
        final Parallel.RangeBody transformIn;
        final Parallel.RangeBody transformOut;
        /**
         * The direct and Winograd forms' result array of the call in progress (read by {@link #directBody} and
         * {@link #transformOut} on every thread).
         */
        float[] target;
        /** The gate of the Vector API kernel this state runs, or null for the BLAS form. */
        final AnchorGate gate;
        /** Multiply-adds of one call of the Vector API kernel (for the gate's guard); 0 for the BLAS form. */
        final long fmas;
        /** A Vector API form: the BLAS form of the same shape, run while {@link #gate} is closed (made on first need). */
        State blas;
        /** Whether the last call ran the Vector API form (tests). */
        boolean lastVector;

        /** @param vector whether the Vector API forms may be used (else the BLAS form) */
        State(ConvAnchor a, int n, int c, int h, int wd, int oh, int ow, long[] shape, boolean vector) {
            this.n = n;
            this.c = c;
            this.h = h;
            this.wd = wd;
            this.oh = oh;
            this.ow = ow;
            this.shape = shape;
            int k = a.cg * a.kh * a.kw;
            hp = h + 2 * a.ph;
            wp = wd + 2 * a.pw;
            if (vector && a.direct(ow)) {
                // Direct or row-Winograd form: the bordered input (+ WIDTH spare floats: a unit's last vectors may
                // read past the last row), no column matrix.
                wide = false;
                lw = oh * ow;
                boolean wino = a.winograd != null;
                gate = wino ? AnchorGate.WINOGRAD_ROWS : AnchorGate.DIRECT_CONV;
                fmas = wino ? a.winograd.fmas(n, oh, ow) : a.direct.fmas(n, oh, ow);
                // Only rows narrower than a unit have partial units (DirectConv's class comment).
                if (ow < DirectConv.WIDTH) gate.needPartialUnits();
                hb = wino ? WinogradRows.borderedRows(oh) : hp;
                pitch = wino ? WinogradRows.pitch(wp) : wp;
                padded = new float[n * c * hb * pitch + DirectConv.WIDTH];
                if (wino) {
                    int th = WinogradRows.tileRows(oh);
                    vt = new float[WinogradRows.transformedLength(n, c, oh, pitch)];
                    m = new float[4 * n * a.o * th * ow];
                    koff = new int[a.cg * a.kw];
                    for (int ci = 0; ci < a.cg; ci++) {
                        for (int kj = 0; kj < a.kw; kj++) koff[ci * a.kw + kj] = ci * th * pitch + kj * a.dw;
                    }
                    units = WinogradRows.units(a.groups, n, oh, ow);
                    scratch = new float[ow < DirectConv.WIDTH ? units * DirectConv.WIDTH : 0];
                    directBody = (u0, u1) -> a.winograd.run(vt, c, a.cg, pitch, koff, n, oh, ow, m, scratch, u0,
                            u1);
                    transformIn = (b0, b1) -> WinogradRows.transformInput(padded, n, c, oh, pitch, vt, b0, b1);
                    transformOut = (p0, p1) -> a.winograd.transformOutput(m, n, oh, ow, target, p0, p1);
                } else {
                    transformIn = null;
                    transformOut = null;
                    vt = null;
                    m = null;
                    koff = new int[k];
                    int plane = hp * wp;
                    for (int ci = 0; ci < a.cg; ci++) {
                        for (int ki = 0; ki < a.kh; ki++) {
                            for (int kj = 0; kj < a.kw; kj++) {
                                koff[(ci * a.kh + ki) * a.kw + kj] = ci * plane + ki * a.dh * wp + kj * a.dw;
                            }
                        }
                    }
                    units = a.groups * n * DirectConv.unitsPerImage(oh, ow);
                    scratch = new float[ow < DirectConv.WIDTH ? units * DirectConv.WIDTH : 0];
                    directBody = (u0, u1) -> a.direct.run(padded, c * plane, a.cg * plane, wp, koff, n, oh, ow,
                            target, scratch, u0, u1);
                }
                wideOut = null;
                col = null;
                res = null;
                panelBodies = null;
                colN = null;
                out = null;
                biasBlock = null;
                calls = null;
                return;
            }
            hb = hp;
            pitch = wp;
            vt = null;
            m = null;
            koff = null;
            units = 0;
            directBody = null;
            transformIn = null;
            transformOut = null;
            wide = a.sh == 1 && a.sw == 1;
            lw = wide ? oh * wp : oh * ow;
            padded = wide && (a.ph > 0 || a.pw > 0) ? new float[n * c * hp * wp] : null;
            int cols = n * lw;
            int og = a.o / a.groups;
            boolean panel = vector && a.wHeap != null;
            gate = panel ? AnchorGate.PANEL_GEMM : null;
            fmas = panel ? (long) a.o * cols * k : 0;
            wideOut = !panel && wide && wp > ow ? new float[a.o * n * lw] : null;
            if (panel) {
                col = new float[c * a.kh * a.kw * cols + PanelGemm.WIDTH];
                res = new float[a.o * cols];
                scratch = new float[PanelGemm.WIDTH];
                panelBodies = new Parallel.RangeBody[a.groups];
                for (int g = 0; g < a.groups; g++) {
                    int gg = g;
                    panelBodies[g] = (p0, p1) -> PanelGemm.run(og, cols, k, a.wHeap, gg * og * k, k, col, gg * k * cols,
                            cols, PanelGemm.WIDTH, null, a.bias, gg * og, res, gg * og * cols, cols, p0, p1, scratch);
                }
                colN = null;
                out = null;
                biasBlock = null;
                calls = null;
                return;
            }
            res = null;
            scratch = null;
            panelBodies = null;
            col = new float[c * a.kh * a.kw * cols];
            colN = new NativeFloats(col.length);
            out = new NativeFloats((long) a.o * cols);
            if (a.bias != null) {
                float[] b = new float[a.o * cols];
                for (int oc = 0; oc < a.o; oc++) Arrays.fill(b, oc * cols, (oc + 1) * cols, a.bias[oc]);
                biasBlock = NativeFloats.of(b);
            } else {
                biasBlock = null;
            }
            calls = new GemmCall[a.groups];
            for (int g = 0; g < a.groups; g++) {
                calls[g] = new GemmCall(og, cols, k, a.w, (long) g * og * k, k, colN, (long) g * k * cols, false, cols,
                        out, (long) g * og * cols, cols, a.bias == null ? 0f : 1f);
            }
        }
    }

    /**
     * @param vector whether the Vector API is in use ({@link DirectConv} for stride 1, {@link PanelGemm} for other
     *               groups of 3–32 output channels)
     */
    ConvAnchor(Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups, boolean vector) {
        int[] ws = weight.intShape();
        o = ws[0];
        cg = ws[1];
        kh = ws[2];
        kw = ws[3];
        this.groups = groups;
        sh = stride[0];
        sw = stride[1];
        ph = padding[0];
        pw = padding[1];
        dh = dilation[0];
        dw = dilation[1];
        if (o % groups != 0) {
            throw new KilnException("aten::conv2d: weight " + Arrays.toString(ws) + " expected out_channels divisible by"
                    + " groups=" + groups);
        }
        float[] wf = floats(weight);
        w = NativeFloats.of(wf);
        // The heap copy only where PanelGemm will run.
        int og = o / groups;
        wHeap = vector && og >= LinearAnchor.PANEL_MIN_ROWS && og <= PANEL_ROWS ? wf : null;
        this.bias = bias == null ? null : floats(bias);
        boolean stride1 = vector && sh == 1 && sw == 1 && og >= LinearAnchor.PANEL_MIN_ROWS;
        winograd = stride1 && kh == 3 && dh == 1 && cg * kw >= WINOGRAD_MIN_K
                ? new WinogradRows(wf, this.bias, o, groups, cg, kw) : null;
        direct = stride1 && winograd == null ? new DirectConv(wf, this.bias, o, groups, cg * kh * kw) : null;
        // Warm the kernels this anchor may run now, at compile time, so they are ready by its first calls.
        java.util.Set<AnchorGate> gates = java.util.EnumSet.noneOf(AnchorGate.class);
        gates(gates);
        for (AnchorGate g : gates) g.start();
    }

    /** Whether an output {@code ow} columns wide takes the direct or row-Winograd form. */
    private boolean direct(int ow) { return (direct != null || winograd != null) && directFits(ow); }

    /**
     * Whether {@link DirectConv}'s units cover an output row of {@code ow} columns with at most
     * {@link #DIRECT_MAX_WASTE} computed columns per output column (only call with the Vector API present).
     */
    static boolean directFits(int ow) {
        return (double) ((ow + DirectConv.WIDTH - 1) / DirectConv.WIDTH) * DirectConv.WIDTH <= DIRECT_MAX_WASTE * ow;
    }

    @Override
    String describe() {
        return "aten::conv2d by a constant " + o + "x" + cg + "x" + kh + "x" + kw + " weight packed off-heap (groups "
                + groups + ", stride " + sh + "x" + sw + ", padding " + ph + "x" + pw + ", dilation " + dh + "x" + dw
                + "): " + (winograd != null ? "row-Winograd F(2,3) + direct Vector API convolution (4 products of 1x"
                        + kw + " on the transformed input, units of " + DirectConv.WIDTH + " output columns) when it"
                        + " computes at most " + DIRECT_MAX_WASTE + " columns per output column, else "
                        : direct != null ? "direct Vector API convolution (implicit GEMM on the bordered input, units"
                        + " of " + DirectConv.WIDTH + " output columns, 6/5-channel blocks) when it computes at most "
                        + DIRECT_MAX_WASTE + " columns per output column, else " : "")
                + "batch im2col + " + groups + " x " + (wHeap != null
                        ? (o / groups) + "-row Vector API panel GEMM (panels of " + PanelGemm.WIDTH + " columns, heap)"
                        : o / groups <= GemmCall.GEMV_ROWS ? (o / groups) + " sgemv" : "sgemm")
                + (bias == null ? "" : wHeap != null ? ", bias per row" : ", bias by beta=1");
    }

    @Override
    float[] run(Frame f, int id, Tensor[] in, int slot) {
        Tensor x = in[0];
        requireFloat("aten::conv2d", "input", x);
        int[] is = x.intShape();
        if (is.length != 3 && is.length != 4) {
            throw new KilnException("aten::conv2d: argument 'input' expected a 3-d (unbatched) or 4-d tensor, found "
                    + is.length + "-d shape " + Arrays.toString(is));
        }
        int n = is.length == 4 ? is[0] : 1;
        int c = is[is.length - 3];
        int h = is[is.length - 2];
        int wd = is[is.length - 1];
        State s = (State) f.anchorState(id);
        if (s == null || s.n != n || s.c != c || s.h != h || s.wd != wd || s.shape.length != is.length) {
            s = state(is, n, c, h, wd);
            f.anchorState(id, s);
        }
        if (s.gate == null) return run(f, slot, s, x);
        if (!s.gate.ready()) {
            s.gate.start();
            if (s.blas == null) s.blas = new State(this, n, c, h, wd, s.oh, s.ow, s.shape, false);
            s.lastVector = false;
            return run(f, slot, s.blas, x);
        }
        s.lastVector = true;
        long t0 = System.nanoTime();
        float[] out = run(f, slot, s, x);
        s.gate.timed(s.fmas, System.nanoTime() - t0);
        return out;
    }

    /** Runs the form of state {@code s}. */
    private float[] run(Frame f, int slot, State s, Tensor x) {
        int n = s.n;
        if (s.directBody != null) return directConv(f, slot, s, x);
        Tensor xd = dense(x);
        if (s.wide) wideCol((float[]) xd.storage().array(), xd.storageOffset(), s);
        else im2col((float[]) xd.storage().array(), xd.storageOffset(), s);
        int l = s.oh * s.ow;
        if (s.res != null) return panelGemm(f, slot, s, n, l);
        s.colN.view.put(0, s.col, 0, s.col.length);
        if (s.biasBlock != null) s.out.copyFrom(s.biasBlock);
        for (GemmCall call : s.calls) call.run();
        float[] out = result(f, slot, n * o * l);
        if (s.wideOut != null) {
            s.out.view.get(0, s.wideOut, 0, s.wideOut.length);
            unwiden(s.wideOut, s, n, l, out);
        } else if (n == 1) {
            s.out.view.get(0, out, 0, o * l);
        } else {
            // The GEMM result is [O, N, L]; the tensor is [N, O, L].
            for (int b = 0; b < n; b++) {
                for (int oc = 0; oc < o; oc++) s.out.view.get((oc * n + b) * l, out, (b * o + oc) * l, l);
            }
        }
        return out;
    }

    /** The {@link PanelGemm} form of {@link #run}, after the column matrix is built. */
    private float[] panelGemm(Frame f, int slot, State s, int n, int l) {
        int og = o / groups;
        int cols = n * s.lw;
        int panels = PanelGemm.panels(cols);
        boolean split = (long) og * cols * cg * kh * kw >= GemmCall.SPLIT_FMAS && Parallel.numThreads() > 1 && panels > 1;
        for (int g = 0; g < groups; g++) {
            if (split) Parallel.forRangeShared(panels, sharePiece(panels), s.panelBodies[g]);
            else s.panelBodies[g].run(0, panels);
        }
        float[] out = result(f, slot, n * o * l);
        if (s.lw != l) {
            unwiden(s.res, s, n, l, out);
        } else {
            // The GEMM result is [O, N, L]; the tensor is [N, O, L].
            for (int b = 0; b < n; b++) {
                for (int oc = 0; oc < o; oc++) System.arraycopy(s.res, (oc * n + b) * l, out, (b * o + oc) * l, l);
            }
        }
        return out;
    }

    /**
     * The direct form of {@link #run}: the input copied into the bordered buffer (through its strides; the borders
     * stay zero from the frame's first call), then {@link DirectConv} over all units, shared with the other threads
     * in pieces of up to one walk of units ({@link Parallel#forRangeShared}: the calling thread works too and never
     * waits for a late worker except for the piece it is running) when the product has at least
     * {@link #DIRECT_SPLIT_FMAS} multiply-adds.
     * The Winograd form transforms the input before and the output after the products, shared the same way (by
     * images, then by output planes, {@link #shareOrRun}).
     */
    private float[] directConv(Frame f, int slot, State s, Tensor x) {
        float[] src = (float[]) x.storage().array();
        int rank = x.dim();
        int sn = rank == 4 ? x.stride(0) : 0;
        int sc = x.stride(rank - 3);
        int sy = x.stride(rank - 2);
        int sx = x.stride(rank - 1);
        int off = x.storageOffset();
        float[] p = s.padded;
        for (int b = 0; b < s.n; b++) {
            for (int ci = 0; ci < s.c; ci++) {
                int dst = ((b * s.c + ci) * s.hb + ph) * s.pitch + pw;
                int row = off + b * sn + ci * sc;
                for (int y = 0; y < s.h; y++, dst += s.pitch, row += sy) {
                    if (sx == 1) {
                        System.arraycopy(src, row, p, dst, s.wd);
                    } else {
                        for (int xx = 0; xx < s.wd; xx++) p[dst + xx] = src[row + xx * sx];
                    }
                }
            }
        }
        float[] out = result(f, slot, s.n * o * s.oh * s.ow);
        s.target = out;
        long fmas = winograd != null ? winograd.fmas(s.n, s.oh, s.ow) : direct.fmas(s.n, s.oh, s.ow);
        boolean split = fmas >= DIRECT_SPLIT_FMAS && Parallel.numThreads() > 1 && s.units > 1;
        // The Winograd transforms are shared too, by images and by output planes: left on the
        // calling thread they were ~20 % of resnet_block's call at batch 32, the part two threads could not halve.
        if (s.vt != null) shareOrRun(split, s.n, s.transformIn);
        if (split) {
            // Direct form: pieces of one walk (DirectConv.unitsPerWalk: 28 units at K = 9, 1 from K = 256), but at
            // least 4 pieces a thread so that a late worker still gets a share; Winograd: unit by unit.
            int piece = winograd != null ? 1 : Math.min(direct.unitsPerWalk(), sharePiece(s.units));
            Parallel.forRangeShared(s.units, piece, s.directBody);
        } else {
            s.directBody.run(0, s.units);
        }
        if (s.vt != null) shareOrRun(split, s.n * o, s.transformOut);
        s.target = null;
        return out;
    }

    /**
     * {@code body} over {@code [0, n)}: when {@code split}, shared between the threads in pieces of
     * {@link #sharePiece}.
     */
    private static void shareOrRun(boolean split, int n, Parallel.RangeBody body) {
        if (split) Parallel.forRangeShared(n, sharePiece(n), body);
        else body.run(0, n);
    }

    /** Keeps the first ow of every wp columns of a wide result: [O, N, oh, wp] -> [N, O, oh, ow]. */
    private void unwiden(float[] wideRes, State s, int n, int l, float[] out) {
        for (int b = 0; b < n; b++) {
            for (int oc = 0; oc < o; oc++) {
                int src = (oc * n + b) * s.lw;
                int dst = (b * o + oc) * l;
                for (int y = 0; y < s.oh; y++) System.arraycopy(wideRes, src + y * s.wp, out, dst + y * s.ow, s.ow);
            }
        }
    }

    private State state(int[] is, int n, int c, int h, int wd) {
        if (cg * groups != c) {
            throw new KilnException("aten::conv2d: weight [" + o + ", " + cg + ", " + kh + ", " + kw + "] with groups="
                    + groups + " expected input " + Arrays.toString(is) + " to have " + (cg * groups)
                    + " channels, found " + c + " channels");
        }
        int effH = dh * (kh - 1) + 1;
        int effW = dw * (kw - 1) + 1;
        if (h + 2 * ph < effH || wd + 2 * pw < effW) {
            throw new KilnException("aten::conv2d: expected the padded input (" + (h + 2 * ph) + " x " + (wd + 2 * pw)
                    + ") to be at least the dilated kernel size (" + effH + " x " + effW + "), found it smaller");
        }
        int oh = (h + 2 * ph - effH) / sh + 1;
        int ow = (wd + 2 * pw - effW) / sw + 1;
        long[] shape = is.length == 4 ? new long[] {n, o, oh, ow} : new long[] {o, oh, ow};
        return new State(this, n, c, h, wd, oh, ow, shape, true);
    }

    /**
     * Row {@code (ci, ki, kj)}, column {@code (b, y, x)} of the column matrix holds input
     * {@code (b, ci, y·sh − ph + ki·dh, x·sw − pw + kj·dw)}; only in-bounds elements are written (the rest stay 0).
     */
    private void im2col(float[] src, int off, State s) {
        int l = s.oh * s.ow;
        int cols = s.n * l;
        int hw = s.h * s.wd;
        float[] col = s.col;
        for (int ci = 0; ci < s.c; ci++) {
            for (int ki = 0; ki < kh; ki++) {
                for (int kj = 0; kj < kw; kj++) {
                    int row = ((ci * kh + ki) * kw + kj) * cols;
                    int xShift = kj * dw - pw;
                    // Output columns x whose input column x·sw + xShift lies in [0, w).
                    int xLo = Math.min(s.ow, ceilDiv(Math.max(0, -xShift), sw));
                    int xHi = Math.max(xLo, Math.min(s.ow, Math.floorDiv(s.wd - 1 - xShift, sw) + 1));
                    if (xHi <= xLo) continue;
                    for (int b = 0; b < s.n; b++) {
                        int plane = off + (b * s.c + ci) * hw;
                        for (int y = 0; y < s.oh; y++) {
                            int iy = y * sh - ph + ki * dh;
                            if (iy < 0 || iy >= s.h) continue;
                            int dst = row + b * l + y * s.ow;
                            int srcRow = plane + iy * s.wd + xShift;
                            if (sw == 1) {
                                System.arraycopy(src, srcRow + xLo, col, dst + xLo, xHi - xLo);
                            } else {
                                for (int xx = xLo; xx < xHi; xx++) col[dst + xx] = src[srcRow + xx * sw];
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * The stride-1 column matrix in the "wide" layout: outputs are computed for all {@code wp} columns of each
     * output row ({@code x ≥ ow} are garbage and dropped when copying back), so row {@code (ci, ki, kj)} of image
     * {@code b} is one contiguous slice of the zero-padded input plane starting at {@code ki·dh·wp + kj·dw} — one
     * {@code System.arraycopy} of {@code oh·wp} floats instead of {@code oh} short ones. Costs {@code wp/ow} more GEMM
     * columns (1.1–1.4× on the conformance models). Slice ends past the plane (only garbage columns of the last
     * row) are not written, so they keep their zeros from the frame's first call.
     */
    private void wideCol(float[] src, int off, State s) {
        float[] p = src;
        int pOff = off;
        int plane = s.hp * s.wp;
        if (s.padded != null) {
            p = s.padded;
            pOff = 0;
            for (int img = 0; img < s.n * s.c; img++) {
                for (int y = 0; y < s.h; y++) {
                    System.arraycopy(src, off + (img * s.h + y) * s.wd, p, (img * s.hp + y + ph) * s.wp + pw, s.wd);
                }
            }
        }
        int cols = s.n * s.lw;
        for (int ci = 0; ci < s.c; ci++) {
            for (int ki = 0; ki < kh; ki++) {
                for (int kj = 0; kj < kw; kj++) {
                    int row = ((ci * kh + ki) * kw + kj) * cols;
                    int shift = ki * dh * s.wp + kj * dw;
                    int len = Math.min(s.lw, plane - shift);
                    for (int b = 0; b < s.n; b++) {
                        System.arraycopy(p, pOff + (b * s.c + ci) * plane + shift, s.col, row + b * s.lw, len);
                    }
                }
            }
        }
    }

    /** Tests: whether the last call of node {@code id} in {@code f} ran a Vector API form (else BLAS). */
    @Override
    boolean lastRanVector(Frame f, int id) {
        State s = (State) f.anchorState(id);
        return s != null && s.gate != null && s.lastVector;
    }

    @Override
    void gates(java.util.Set<AnchorGate> into) {
        if (wHeap != null) into.add(AnchorGate.PANEL_GEMM);
        if (direct != null) into.add(AnchorGate.DIRECT_CONV);
        if (winograd != null) into.add(AnchorGate.WINOGRAD_ROWS);
    }

    private static int ceilDiv(int a, int b) { return -Math.floorDiv(-a, b); }

    @Override
    long[] shape(Frame f, int id) { return ((State) f.anchorState(id)).shape; }
}
