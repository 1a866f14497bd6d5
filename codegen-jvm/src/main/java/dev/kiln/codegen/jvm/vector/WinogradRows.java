package dev.kiln.codegen.jvm.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A stride-1 {@code conv2d} with 3 kernel rows (row dilation 1) as <b>Winograd F(2, 3) along the rows</b> and
 * {@link DirectConv} along the columns: per pair of output rows {@code (2·ty, 2·ty + 1)} the 3-tap filter along
 * {@code y} is applied through the transforms {@code Y = Aᵀ[(G g) ⊙ (Bᵀ d)]}, with
 * <pre>
 *   Bᵀ d = (d0 − d2, d1 + d2, d2 − d1, d1 − d3)      (d = input rows 2·ty … 2·ty + 3)
 *   G g  = (g0, (g0 + g1 + g2)/2, (g0 − g1 + g2)/2, g2)  (g = the kernel's 3 rows, per channel pair and column)
 *   Aᵀ m = (m0 + m1 + m2, m1 − m2 − m3)
 * </pre>
 * so the sum over the kernel rows becomes 4 products per 2 output rows instead of 6: the convolution runs as four
 * {@link DirectConv}s ({@code ξ = 0..3}) with a {@code 1 × kw} kernel over the transformed input (its rows are the
 * tile rows {@code ty}), i.e. 1.5× fewer multiply-adds. All three steps are plain vector arithmetic on whole rows
 * (no shuffles): {@link #transformInput}, then {@link #run} (the four products, which is where the time goes and what
 * threads share), then {@link #transformOutput}. The transformed weight {@code G g} is computed once in double and
 * rounded to float; the bias rides on {@code m1}, which both output rows add once.
 *
 * <p>Error: the transforms only add and subtract (and halve, exactly, in {@code G}), so each output is the same
 * float32 dot product as the direct form up to a few roundings of the 2–4-term transform sums — far inside the
 * conformance tolerances (checked against float64 in {@code WinogradRowsTest} and {@code GemmAnchorTest}).
 *
 * <p>Invariants: immutable after construction, shared by all threads; vectors only in locals.
 */
public final class WinogradRows {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private final int o;
    private final int groups;
    /** The four products {@code ξ = 0..3}, each a {@code [O, C/g, 1, kw]} direct convolution. */
    private final DirectConv[] xi = new DirectConv[4];

    /**
     * Transforms and packs the weight.
     *
     * @param w    {@code [O, C/g, 3, kw]} row-major
     * @param bias {@code O} values, or null
     */
    public WinogradRows(float[] w, float[] bias, int o, int groups, int cg, int kw) {
        if (w.length != o * cg * 3 * kw) {
            throw new IllegalArgumentException("WinogradRows: weight of " + w.length + " floats, expected " + o + " x "
                    + cg + " x 3 x " + kw);
        }
        this.o = o;
        this.groups = groups;
        float[][] u = new float[4][o * cg * kw];
        for (int r = 0; r < o * cg; r++) {
            for (int kj = 0; kj < kw; kj++) {
                double g0 = w[(r * 3) * kw + kj];
                double g1 = w[(r * 3 + 1) * kw + kj];
                double g2 = w[(r * 3 + 2) * kw + kj];
                int i = r * kw + kj;
                u[0][i] = (float) g0;
                u[1][i] = (float) ((g0 + g1 + g2) * 0.5);
                u[2][i] = (float) ((g0 - g1 + g2) * 0.5);
                u[3][i] = (float) g2;
            }
        }
        for (int x = 0; x < 4; x++) xi[x] = new DirectConv(u[x], x == 1 ? bias : null, o, groups, cg * kw);
    }

    /**
     * The row pitch for a bordered row of {@code wp} floats: whole vectors, so {@link #transformInput} has no scalar
     * tail (measured: 15.6 µs with an 18-float pitch and 2-column scalar tail, 8.5 µs with 24, for resnet_block's
     * 2 x 32 x 16 x 16 input).
     */
    public static int pitch(int wp) { return (wp + L - 1) / L * L; }

    /** Tile rows for {@code oh} output rows. */
    public static int tileRows(int oh) { return (oh + 1) / 2; }

    /** Rows the bordered input needs for {@code oh} output rows: {@code 2·tileRows(oh) + 2} (extra rows zero). */
    public static int borderedRows(int oh) { return 2 * tileRows(oh) + 2; }

    /** Floats of the transformed input for {@code n} images of {@code c} channels: {@code ξ}-major per image. */
    public static int transformedLength(int n, int c, int oh, int wp) {
        return Math.multiplyExact(n * 4 * c, tileRows(oh) * wp) + DirectConv.WIDTH;
    }

    /** Units of {@link #run} (four products of {@link DirectConv#unitsPerImage} units per group and image). */
    public static int units(int groups, int n, int oh, int ow) {
        return 4 * groups * n * DirectConv.unitsPerImage(tileRows(oh), ow);
    }

    /** Multiply-adds of {@link #run} over all units. */
    public long fmas(int n, int oh, int ow) { return 4 * xi[0].fmas(n, tileRows(oh), ow); }

    /**
     * {@code vt[b][ξ][ci][ty][x] = (Bᵀ d)_ξ} for the bordered input {@code in} ({@code [n, c, hb, wp]}, {@code hb =}
     * {@link #borderedRows}, {@code wp} best a {@link #pitch}): four rows in, four rows out per tile row, vectors
     * along {@code x}.
     */
    public static void transformInput(float[] in, int n, int c, int oh, int wp, float[] vt) {
        transformInput(in, n, c, oh, wp, vt, 0, n);
    }

    /**
     * {@link #transformInput(float[], int, int, int, int, float[])} for images {@code [b0, b1)} only: disjoint image
     * ranges write disjoint parts of {@code vt}, so they may run concurrently.
     */
    public static void transformInput(float[] in, int n, int c, int oh, int wp, float[] vt, int b0, int b1) {
        int th = tileRows(oh);
        int hb = 2 * th + 2;
        int plane = th * wp;
        for (int b = b0; b < b1; b++) {
            for (int ci = 0; ci < c; ci++) {
                int src = (b * c + ci) * hb * wp;
                int dst = (b * 4 * c + ci) * plane;
                int step = c * plane; // from one ξ to the next
                for (int ty = 0; ty < th; ty++, src += 2 * wp, dst += wp) {
                    int r0 = src;
                    int r1 = src + wp;
                    int r2 = src + 2 * wp;
                    int r3 = src + 3 * wp;
                    int x = 0;
                    for (; x <= wp - L; x += L) {
                        FloatVector d0 = FloatVector.fromArray(S, in, r0 + x);
                        FloatVector d1 = FloatVector.fromArray(S, in, r1 + x);
                        FloatVector d2 = FloatVector.fromArray(S, in, r2 + x);
                        FloatVector d3 = FloatVector.fromArray(S, in, r3 + x);
                        d0.sub(d2).intoArray(vt, dst + x);
                        d1.add(d2).intoArray(vt, dst + step + x);
                        d2.sub(d1).intoArray(vt, dst + 2 * step + x);
                        d1.sub(d3).intoArray(vt, dst + 3 * step + x);
                    }
                    for (; x < wp; x++) {
                        float d0 = in[r0 + x];
                        float d1 = in[r1 + x];
                        float d2 = in[r2 + x];
                        float d3 = in[r3 + x];
                        vt[dst + x] = d0 - d2;
                        vt[dst + step + x] = d1 + d2;
                        vt[dst + 2 * step + x] = d2 - d1;
                        vt[dst + 3 * step + x] = d1 - d3;
                    }
                }
            }
        }
    }

    /**
     * Units {@code [u0, u1)} of the four products: unit {@code u} is unit {@code u % perXi} of product
     * {@code ξ = u / perXi} ({@code perXi = units / 4}), written to {@code m[ξ][b][o][ty][x]}.
     *
     * @param koff    {@code C/g·kw} offsets {@code ci·th·wp + kj·dw} of the reduction steps
     * @param scratch {@link DirectConv#WIDTH} floats per unit (partial units), unit {@code u}'s at {@code u·WIDTH}
     */
    public void run(float[] vt, int c, int cg, int wp, int[] koff, int n, int oh, int ow, float[] m, float[] scratch,
                    int u0, int u1) {
        int th = tileRows(oh);
        int perXi = groups * n * DirectConv.unitsPerImage(th, ow);
        int plane = th * wp;
        int mSize = n * o * th * ow;
        for (int u = u0; u < u1; ) {
            int x = u / perXi;
            int end = Math.min(u1, (x + 1) * perXi);
            xi[x].run(vt, x * c * plane, 4 * c * plane, cg * plane, wp, koff, n, th, ow, m, x * mSize, scratch,
                    x * perXi * DirectConv.WIDTH, u - x * perXi, end - x * perXi);
            u = end;
        }
    }

    /**
     * {@code out[b][o][2·ty][x] = m0 + m1 + m2}, {@code out[b][o][2·ty + 1][x] = m1 − m2 − m3} (the second row only
     * below {@code oh}).
     */
    public void transformOutput(float[] m, int n, int oh, int ow, float[] out) {
        transformOutput(m, n, oh, ow, out, 0, n * o);
    }

    /**
     * {@link #transformOutput(float[], int, int, int, float[])} for output planes {@code [p0, p1)} only (plane
     * {@code b·O + o}): disjoint plane ranges write disjoint parts of {@code out}, so they may run concurrently.
     */
    public void transformOutput(float[] m, int n, int oh, int ow, float[] out, int p0, int p1) {
        int th = tileRows(oh);
        int mSize = n * o * th * ow;
        for (int bo = p0; bo < p1; bo++) {
            for (int ty = 0; ty < th; ty++) {
                int src = (bo * th + ty) * ow;
                int y0 = (bo * oh + 2 * ty) * ow;
                boolean second = 2 * ty + 1 < oh;
                int x = 0;
                for (; x <= ow - L; x += L) {
                    FloatVector m0 = FloatVector.fromArray(S, m, src + x);
                    FloatVector m1 = FloatVector.fromArray(S, m, mSize + src + x);
                    FloatVector m2 = FloatVector.fromArray(S, m, 2 * mSize + src + x);
                    m0.add(m1).add(m2).intoArray(out, y0 + x);
                    if (second) {
                        FloatVector m3 = FloatVector.fromArray(S, m, 3 * mSize + src + x);
                        m1.sub(m2).sub(m3).intoArray(out, y0 + ow + x);
                    }
                }
                for (; x < ow; x++) {
                    float m0 = m[src + x];
                    float m1 = m[mSize + src + x];
                    float m2 = m[2 * mSize + src + x];
                    out[y0 + x] = m0 + m1 + m2;
                    if (second) out[y0 + ow + x] = m1 - m2 - m[3 * mSize + src + x];
                }
            }
        }
    }
}
