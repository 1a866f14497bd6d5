package dev.kiln.codegen.jvm.vector;

import java.util.function.LongSupplier;

/**
 * Small dummy problems that take every code path the compiled anchors take through {@link PanelGemm},
 * {@link DirectConv} and {@link WinogradRows}, for the warm-up thread that drives them into C2 before the anchors
 * use them ({@code AnchorGate}). Each probe is a {@link LongSupplier}: one call runs all of its problems once and
 * returns their multiply-adds, so the caller can time a whole round against that count.
 *
 * <p>Why every path: C2 compiles a branch no warm-up call took as an uncommon trap, and the first real call taking
 * it would deoptimise the kernel (back to boxed vectors, 10–1000× slower). So the probes cover
 * {@link PanelGemm}'s 4-row blocks with 4, 3 and 2 rows, its 1-row block with even and odd {@code K}, full and
 * partial panels, packed weights with a column bias (the linear anchor) and a row-major {@code B} with and without
 * a row bias (the conv anchor's im2col form); {@link DirectConv}'s 6-, 5- and 4-channel blocks (3 and 4 stored
 * rows: a conv anchor has at least 3 channels per group), whole units and, once an anchor needs them, partial ones
 * ({@link #directConv}), one and two groups;
 * {@link WinogradRows}' input and output transforms with odd and even output heights and a scalar tail, and its
 * four products. Data are non-zero, of both signs, never subnormal.
 *
 * <p>Every probe owns its arrays (made once by the factory); a probe is used by one thread.
 */
public final class AnchorWarmup {
    private AnchorWarmup() {}

    private static final int W = PanelGemm.WIDTH;

    /** Non-zero values of both signs from -1.0625 to 1.0625. */
    private static float[] data(int n, int seed) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (((i * 37 + seed * 11) % 17) - 8.5f) * 0.125f;
        return a;
    }

    /** The {@link PanelGemm} probe: both anchor forms, every row remainder, full and partial panels. */
    public static LongSupplier panelGemm() {
        int n = 2 * W + 3; // two full panels and a partial one
        int[] ks = {24, 23}; // even and odd K (the 1-row block's odd step)
        float[][] packed = new float[2][];
        float[] colBias = PanelGemm.packBias(data(n, 1), n);
        for (int i = 0; i < 2; i++) packed[i] = PanelGemm.pack(data(n * ks[i], 2 + i), n, ks[i]);
        int maxK = 24;
        float[] a = data(8 * maxK, 4);
        float[] b = data(maxK * n + W, 5); // row-major K x N, W spare floats for the last panel
        float[] rowBias = data(8, 6);
        float[] c = new float[8 * n];
        float[] scratch = new float[W];
        int panels = PanelGemm.panels(n);
        return () -> {
            long fmas = 0;
            for (int m = 5; m <= 8; m++) { // 4+1, 4+2, 4+3, 4+4 rows
                for (int i = 0; i < 2; i++) {
                    int k = ks[i];
                    PanelGemm.run(m, n, k, a, 0, k, packed[i], colBias, c, 0, n, 0, panels, scratch);
                    PanelGemm.run(m, n, k, a, 0, k, b, 0, n, W, null, (m & 1) == 0 ? rowBias : null,
                            0, c, 0, n, 0, panels, scratch);
                    fmas += 2L * m * n * k;
                }
            }
            return fmas;
        };
    }

    /**
     * The {@link DirectConv} probe: 3x3 kernels, 11 channels (6 + 5) and 2 groups of 7 (4 + 3), on 2 and 3 input
     * channels a group (an even and an odd reduction length), on whole units, and
     * while {@code partialUnits} says so also on rows narrower than a unit (one partial unit each).
     *
     * <p>Why partial units only on demand: measured on {@code resnet_block} (whole 16-column units), blocks that C2
     * compiled from a profile with partial units ran the model 1.35× slower (0.30 against 0.22 ms per call) than
     * blocks compiled from whole units only — even at one partial unit in five. So the gate asks for them only once
     * an anchor has an output width that needs them (and then re-warms: the partial path's first use recompiles).
     */
    public static LongSupplier directConv(java.util.function.BooleanSupplier partialUnits) {
        return conv(partialUnits, 2, false);
    }

    /** The {@link WinogradRows} probe: as {@link #directConv}, through the row-Winograd transforms. */
    public static LongSupplier winogradRows(java.util.function.BooleanSupplier partialUnits) {
        return conv(partialUnits, 8, true);
    }

    private static LongSupplier conv(java.util.function.BooleanSupplier partialUnits, int cg, boolean wino) {
        // Every block kind (6 + 5 channels; groups of 4 + 3) on cg and cg + 1 input channels a group: an even and an
        // odd reduction length, so the blocks' last single step (after the steps taken two at a time) is compiled
        // too. With even lengths only, C2 left that step as an uncommon trap, and the first model with an odd K
        // (mynet's 1·3·3) deoptimised the blocks and closed the gate (OddReductionConvAfterWarmupTest).
        ConvProblem[] whole = new ConvProblem[4];
        // Rows narrower than a unit: the only ones with partial units (wider rows end with an overlapping whole one).
        ConvProblem[] partial = new ConvProblem[4];
        for (int parity = 0; parity < 2; parity++) {
            whole[2 * parity] = new ConvProblem(11, 1, cg + parity, 3, 2 * W, wino);
            whole[2 * parity + 1] = new ConvProblem(14, 2, cg + parity, 4, W, wino);
            partial[2 * parity] = new ConvProblem(11, 1, cg + parity, 3, W - 3, wino);
            partial[2 * parity + 1] = new ConvProblem(14, 2, cg + parity, 4, W - 5, wino);
        }
        return () -> {
            long fmas = 0;
            for (ConvProblem p : whole) fmas += p.run();
            if (partialUnits.getAsBoolean()) for (ConvProblem p : partial) fmas += p.run();
            return fmas;
        };
    }

    /**
     * One stride-1 3x3 convolution with padding 1 of 2 images of {@code groups·cg} channels, {@code oh} rows and
     * {@code ow} columns, laid out as the conv anchor lays it out.
     */
    private static final class ConvProblem {
        final int n = 2;
        final int c;
        final int cg;
        final int oh;
        final int ow;
        final int pitch;
        final DirectConv direct;
        final WinogradRows winograd;
        final float[] in;
        final float[] vt;
        final float[] m;
        final float[] out;
        final float[] scratch;
        final int[] koff;
        final int units;

        ConvProblem(int o, int groups, int cg, int oh, int ow, boolean wino) {
            this.ow = ow;
            this.c = groups * cg;
            this.cg = cg;
            this.oh = oh;
            int wp = ow + 2;
            float[] w = data(o * cg * 9, o);
            float[] bias = data(o, 7);
            out = new float[n * o * oh * ow];
            if (wino) {
                pitch = WinogradRows.pitch(wp);
                int th = WinogradRows.tileRows(oh);
                winograd = new WinogradRows(w, bias, o, groups, cg, 3);
                direct = null;
                in = data(n * c * WinogradRows.borderedRows(oh) * pitch + DirectConv.WIDTH, 8);
                vt = new float[WinogradRows.transformedLength(n, c, oh, pitch)];
                m = new float[4 * n * o * th * ow];
                koff = new int[cg * 3];
                for (int ci = 0; ci < cg; ci++) for (int kj = 0; kj < 3; kj++) koff[ci * 3 + kj] = ci * th * pitch + kj;
                units = WinogradRows.units(groups, n, oh, ow);
            } else {
                pitch = wp;
                winograd = null;
                direct = new DirectConv(w, bias, o, groups, cg * 9);
                in = data(n * c * (oh + 2) * wp + DirectConv.WIDTH, 9);
                vt = null;
                m = null;
                koff = new int[cg * 9];
                int plane = (oh + 2) * wp;
                for (int ci = 0; ci < cg; ci++) {
                    for (int ki = 0; ki < 3; ki++) {
                        for (int kj = 0; kj < 3; kj++) koff[(ci * 3 + ki) * 3 + kj] = ci * plane + ki * wp + kj;
                    }
                }
                units = groups * n * DirectConv.unitsPerImage(oh, ow);
            }
            scratch = new float[units * DirectConv.WIDTH];
        }

        long run() {
            if (winograd == null) {
                int plane = (oh + 2) * pitch;
                direct.run(in, c * plane, cg * plane, pitch, koff, n, oh, ow, out, scratch, 0, units);
                return direct.fmas(n, oh, ow);
            }
            // The transforms through the range entry points the anchor calls, in two pieces as when it shares them
            // between threads: warming only the whole-range overloads left these to the interpreter (C2 inlined
            // them into the overloads), and the anchor's calls of them ran boxed.
            WinogradRows.transformInput(in, n, c, oh, pitch, vt, 0, 1);
            WinogradRows.transformInput(in, n, c, oh, pitch, vt, 1, n);
            winograd.run(vt, c, cg, pitch, koff, n, oh, ow, m, scratch, 0, units);
            int planes = out.length / (oh * ow); // n·O output planes
            winograd.transformOutput(m, n, oh, ow, out, 0, planes / 2);
            winograd.transformOutput(m, n, oh, ow, out, planes / 2, planes);
            return winograd.fmas(n, oh, ow);
        }
    }
}
