package dev.kiln.codegen.jvm.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A stride-1 {@code conv2d} as an <b>implicit GEMM</b> with the Vector API, for the compiled conv anchor: no column
 * matrix is built. The input is a zero-bordered copy ({@code [N, C, hp, wp]}, {@code hp = h + 2·ph},
 * {@code wp = w + 2·pw}, at least {@link #WIDTH} spare floats at its end); the GEMM's {@code B[t, j]} for reduction
 * index {@code t = (ci, ki, kj)} and output pixel {@code j = (y, x)} is then {@code in[koff[t] + y·wp + x]} with
 * {@code koff[t] = ci·hp·wp + ki·dh·wp + kj·dw}, i.e. <b>contiguous along {@code x}</b>, so the kernel reads it in
 * place with vector loads.
 *
 * <p><b>Units and blocks.</b> The output is cut into <em>units</em>: one group {@code g}, one image {@code b}, one
 * output row {@code y} and {@link #WIDTH} (= two vectors, 16 on AVX2) consecutive output columns from
 * {@code x0 = min(xb·WIDTH, ow − WIDTH)}; unit {@code u = ((g·N + b)·oh + y)·nx + xb} with
 * {@code nx = ceil(ow / WIDTH)}. So when {@code ow ≥ WIDTH} every unit is whole: a row's last unit, where
 * {@code ow} is not a multiple of {@code WIDTH}, starts at {@code ow − WIDTH} and overlaps the one before it,
 * storing again some of its columns with <b>bitwise identical</b> values (each column's sum is the same fmas in
 * the same order, whatever its lane), instead of going through a scratch copy per channel. Only rows narrower than
 * a unit ({@code ow < WIDTH}, {@code x0 = 0}) have <em>partial</em> units: their vectors are stored into the unit's
 * {@link #WIDTH} floats of a scratch array and {@code ow} of them copied out (a masked store is not intrinsified on
 * AVX2 in JDK 17; the lanes past {@code ow} are computed on border/neighbour data and dropped). Per unit, the
 * group's output channels are taken in <em>row blocks</em> of 6, 5 (or 4) channels ({@link #blocks}), whose 12, 10
 * (or 8) accumulators (channels × 2 vectors) stay in registers across the whole reduction of
 * {@code K = C/g·kh·kw} steps: per step two vector loads of the input, one scalar broadcast per channel, one
 * {@code fma} per accumulator — 12 fmas for 8 loads in the 6-row kernel, which keeps AVX2's two FMA pipes busy
 * (measured 80 GFLOP/s on one Zen 4 core for the 32→32 3×3 convolutions of {@code resnet_block}, against 38 for
 * im2col + {@link PanelGemm}). The weight is packed once, at construction, block by block as {@code [t][rows]}, so
 * a step's broadcasts read consecutive floats; the bias seeds the accumulators; results are stored straight into
 * the {@code [N, O, oh, ow]} output. One call of a block kernel walks up to {@code max(1, WALK_STEPS / K)}
 * ({@link #WALK_STEPS}) consecutive units of a range that share a plane (group and image), stepping the row and
 * column counters: with a small reduction ({@code K = 9} for a 1-channel 3×3 conv: 108 fmas per 6-channel block) a
 * call and an index decode per unit and block cost as much as a large part of the multiply-adds; with a large one,
 * one unit a call keeps its input taps in L1 for all the blocks.
 *
 * <p>Invariants: vectors live only in locals of {@link #block6}, {@link #block5} and {@link #block4} (never fields,
 * arrays or arguments, which would box them); instances are immutable and shared by all threads; a unit writes only
 * output elements of its own row and columns {@code [x0, x0 + WIDTH)} (clipped to {@code ow}) and its own
 * {@link #WIDTH} floats of the scratch array, and where two units' columns overlap they write identical values, so
 * disjoint unit ranges may run concurrently; nothing may read the output before all ranges are done (the conv
 * anchor and {@link WinogradRows} read it only afterwards). Sums run in a different order than the BLAS forms', so
 * results differ from them by rounding only.
 */
public final class DirectConv {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Output columns per unit. */
    public static final int WIDTH = 2 * L;
    /**
     * Reduction steps × units one block call walks at most ({@link #run}): {@code max(1, WALK_STEPS / K)} units,
     * whose input taps ({@code K·WIDTH} floats a unit at most, 16 KiB in all on AVX2) stay in L1 while the other
     * blocks read them again. Measured against walking a whole plane per call: 9–15 % faster for the 64→64 3×3
     * conv of a 56×56 image ({@code K = 576}) and a 256→64 1×1 conv ({@code K = 256}), within noise at {@code K = 9}
     * and 25 (28 and 10 units a call); 64 lost 5–10 % at {@code K = 9} and 25, 1024 lost 12 % at {@code K = 256}.
     */
    static final int WALK_STEPS = 256;

    private final int o;
    private final int groups;
    private final int og;
    private final int k;
    /** Per row block (the same for every group): first channel within the group, channels stored, kernel rows. */
    private final int[] blockRow;
    private final int[] blockRows;
    private final int[] blockKernel;
    /** Per group and block: offset of its packed {@code [K][kernel rows]} weight in {@link #packed}. */
    private final int[] packedOff;
    /** Per group and block: {@code packedOff / K}, its first bias in {@link #packedBias} (no division per unit). */
    private final int[] biasOff;
    private final float[] packed;
    /** Per group and block: {@code kernel rows} bias values at the same index as {@link #packedOff} / K. */
    private final float[] packedBias;

    /**
     * Packs the weight.
     *
     * @param w      the weight as a row-major {@code O × K} matrix ({@code K = C/g·kh·kw}, i.e. {@code [O, C/g, kh, kw]})
     * @param bias   {@code O} values, or null
     * @param groups groups; {@code O} is a multiple of it
     */
    public DirectConv(float[] w, float[] bias, int o, int groups, int k) {
        if (o % groups != 0 || w.length != o * k || (bias != null && bias.length != o)) {
            throw new IllegalArgumentException("DirectConv: weight of " + w.length + " floats, bias "
                    + (bias == null ? "none" : bias.length + " floats") + " do not fit " + o + " channels x " + k
                    + " in " + groups + " groups");
        }
        this.o = o;
        this.groups = groups;
        og = o / groups;
        this.k = k;
        int[][] plan = blocks(og);
        blockRow = plan[0];
        blockRows = plan[1];
        blockKernel = plan[2];
        int nb = blockRow.length;
        packedOff = new int[groups * nb];
        biasOff = new int[groups * nb];
        int total = 0;
        for (int g = 0; g < groups; g++) {
            for (int i = 0; i < nb; i++) {
                packedOff[g * nb + i] = total;
                biasOff[g * nb + i] = total / k;
                total += blockKernel[i] * k;
            }
        }
        packed = new float[total];
        packedBias = new float[total / k];
        for (int g = 0; g < groups; g++) {
            for (int i = 0; i < nb; i++) {
                int kr = blockKernel[i];
                int base = packedOff[g * nb + i];
                for (int r = 0; r < kr; r++) {
                    // Kernel rows past the block's channels repeat its last channel: computed, never stored.
                    int row = g * og + blockRow[i] + Math.min(r, blockRows[i] - 1);
                    for (int t = 0; t < k; t++) packed[base + t * kr + r] = w[row * k + t];
                    packedBias[base / k + r] = bias == null ? 0f : bias[row];
                }
            }
        }
    }

    /**
     * How {@code m} channels are cut into row blocks: {@code [first channel, channels, kernel rows]} per block. Six-
     * and five-channel blocks (12 and 10 accumulators) where {@code m} is a sum of them ({@code m = 6a + 5b}, as many
     * sixes as possible: 32 = 6+6+5+5+5+5), measured 1 % faster than 6+6+6+6+4+4 and far faster than four-channel
     * blocks (8 accumulators: ~20 % slower per multiply-add); else sixes and one or two 4-channel blocks
     * ({@code m} 1–4, 7–9, 13, 14, 19: the last block's missing channels repeat its last one, computed, not stored).
     */
    static int[][] blocks(int m) {
        int[] kinds = null;
        for (int sixes = m / 6; sixes >= 0 && kinds == null; sixes--) {
            if ((m - 6 * sixes) % 5 == 0) {
                kinds = new int[sixes + (m - 6 * sixes) / 5];
                java.util.Arrays.fill(kinds, 0, sixes, 6);
                java.util.Arrays.fill(kinds, sixes, kinds.length, 5);
            }
        }
        int[] rows;
        if (kinds != null) {
            rows = kinds.clone();
        } else {
            // m % 6 is 1..4 and no 6a + 5b fits: sixes, then a 4-block (+ a second one for 7 or 8 left).
            int q = m / 6;
            int r = m % 6;
            if (r <= 2 && q >= 1) {
                kinds = repeat(q - 1, 6, new int[] {4, 4});
                rows = repeat(q - 1, 6, new int[] {4, 2 + r});
            } else {
                kinds = repeat(q, 6, new int[] {4});
                rows = repeat(q, 6, new int[] {r});
            }
        }
        int[] first = new int[kinds.length];
        for (int i = 1; i < kinds.length; i++) first[i] = first[i - 1] + rows[i - 1];
        return new int[][] {first, rows, kinds};
    }

    private static int[] repeat(int times, int value, int[] tail) {
        int[] a = new int[times + tail.length];
        java.util.Arrays.fill(a, 0, times, value);
        System.arraycopy(tail, 0, a, times, tail.length);
        return a;
    }

    /** Units one block call walks at most: {@code max(1, WALK_STEPS / K)} (a good piece when units are shared out). */
    public int unitsPerWalk() { return Math.max(1, WALK_STEPS / k); }

    /** Units per group and image for an {@code oh × ow} output: {@code oh · ceil(ow / WIDTH)}. */
    public static int unitsPerImage(int oh, int ow) { return oh * ((ow + WIDTH - 1) / WIDTH); }

    /** Multiply-adds the kernel performs for {@code n} images of {@code oh × ow} (padding columns included). */
    public long fmas(int n, int oh, int ow) {
        long rows = 0;
        for (int kr : blockKernel) rows += kr;
        return (long) groups * n * unitsPerImage(oh, ow) * WIDTH * rows * k;
    }

    /**
     * Computes units {@code [u0, u1)} (see the class comment) of the output.
     *
     * @param in      the zero-bordered input, {@code n} images of {@code inImage} floats, group {@code g}'s channels
     *                from {@code g·inGroup} within an image; at least {@link #WIDTH} readable floats past the last
     *                image
     * @param wp      row length of the bordered input
     * @param koff    {@code K} offsets of the reduction steps from a unit's input origin (class comment)
     * @param out     the {@code [n, O, oh, ow]} result
     * @param scratch {@code WIDTH} floats per unit, unit {@code u}'s at {@code u·WIDTH} (a partial unit's columns go
     *                through it, so concurrent ranges never share a slot): {@code u1·WIDTH} floats at least when
     *                {@code ow < WIDTH}; not used (may be empty) otherwise
     */
    public void run(float[] in, int inImage, int inGroup, int wp, int[] koff, int n, int oh, int ow, float[] out,
                    float[] scratch, int u0, int u1) {
        run(in, 0, inImage, inGroup, wp, koff, n, oh, ow, out, 0, scratch, 0, u0, u1);
    }

    /**
     * As {@link #run(float[], int, int, int, int[], int, int, int, float[], float[], int, int)} with the input's
     * images from {@code inOff}, the result from {@code outOff} and unit {@code u}'s scratch at
     * {@code sOff + u·WIDTH}.
     */
    public void run(float[] in, int inOff, int inImage, int inGroup, int wp, int[] koff, int n, int oh, int ow,
                    float[] out, int outOff, float[] scratch, int sOff, int u0, int u1) {
        int nx = (ow + WIDTH - 1) / WIDTH;
        int perPlane = oh * nx;
        int plane = oh * ow;
        int nb = blockRow.length;
        // A row's last unit starts at ow - WIDTH (overlapping the one before it) so that it stores whole vectors;
        // only rows narrower than a unit store a partial one, through the scratch.
        int lastX = Math.max(0, ow - WIDTH);
        int cols = Math.min(WIDTH, ow);
        // One block call per block and segment of the range (units of one group and image, at most walk of them),
        // which walks its units itself: with a small reduction (K = 9: 108 fmas per 6-channel block) a call and an
        // index decode per unit and block cost as much as a large part of the multiply-adds (measured for mynet's
        // 1->16 3x3 conv at batch 32: 178 us with a call per unit, 146 us walking).
        int walk = unitsPerWalk();
        for (int u = u0; u < u1; ) {
            int p = u / perPlane;
            int inPlane = u - p * perPlane;
            int count = Math.min(Math.min(u1 - u, perPlane - inPlane), walk);
            int y = inPlane / nx;
            int xb = inPlane - y * nx;
            int b = p % n;
            int g = p / n;
            int inRow = inOff + b * inImage + g * inGroup + y * wp;
            int outRow = outOff + ((b * o + g * og) * oh + y) * ow;
            int s0 = sOff + u * WIDTH;
            int gb = g * nb;
            for (int i = 0; i < nb; i++) {
                int a0 = packedOff[gb + i];
                int bi = biasOff[gb + i];
                int cRow = outRow + blockRow[i] * plane;
                if (blockKernel[i] == 6) {
                    block6(packed, a0, packedBias, bi, in, inRow, wp, koff, k, out, cRow, ow, plane, xb, nx, lastX,
                            count, cols, scratch, s0);
                } else if (blockKernel[i] == 5) {
                    block5(packed, a0, packedBias, bi, in, inRow, wp, koff, k, out, cRow, ow, plane, xb, nx, lastX,
                            count, cols, scratch, s0);
                } else {
                    block4(packed, a0, packedBias, bi, in, inRow, wp, koff, k, blockRows[i], out, cRow, ow, plane, xb,
                            nx, lastX, count, cols, scratch, s0);
                }
            }
            u += count;
        }
    }

    /** Six channels of {@code count} consecutive units of one plane (see {@link #run}). */
    private static void block6(float[] ap, int a0, float[] bias, int bi, float[] in, int inRow, int wp, int[] koff,
                               int k, float[] c, int outRow, int ow, int ldc, int xb, int nx, int lastX, int count,
                               int cols, float[] scratch, int s0) {
        for (int j = 0; j < count; j++, s0 += WIDTH) {
            int x0 = Math.min(xb * WIDTH, lastX);
            int i0 = inRow + x0;
            int c0 = outRow + x0;
            FloatVector c00 = FloatVector.broadcast(S, bias[bi]);
            FloatVector c01 = c00;
            FloatVector c10 = FloatVector.broadcast(S, bias[bi + 1]);
            FloatVector c11 = c10;
            FloatVector c20 = FloatVector.broadcast(S, bias[bi + 2]);
            FloatVector c21 = c20;
            FloatVector c30 = FloatVector.broadcast(S, bias[bi + 3]);
            FloatVector c31 = c30;
            FloatVector c40 = FloatVector.broadcast(S, bias[bi + 4]);
            FloatVector c41 = c40;
            FloatVector c50 = FloatVector.broadcast(S, bias[bi + 5]);
            FloatVector c51 = c50;
            // Two reduction steps per iteration (then an odd last one): half the loop and index overhead, measured
            // 5-8 % faster at K = 25 and 288, the same at K = 9.
            int t = 0;
            int ai = a0;
            for (; t < k - 1; t += 2, ai += 12) {
                int bo = i0 + koff[t];
                FloatVector b0 = FloatVector.fromArray(S, in, bo);
                FloatVector b1 = FloatVector.fromArray(S, in, bo + L);
                FloatVector x = FloatVector.broadcast(S, ap[ai]);
                c00 = b0.fma(x, c00);
                c01 = b1.fma(x, c01);
                x = FloatVector.broadcast(S, ap[ai + 1]);
                c10 = b0.fma(x, c10);
                c11 = b1.fma(x, c11);
                x = FloatVector.broadcast(S, ap[ai + 2]);
                c20 = b0.fma(x, c20);
                c21 = b1.fma(x, c21);
                x = FloatVector.broadcast(S, ap[ai + 3]);
                c30 = b0.fma(x, c30);
                c31 = b1.fma(x, c31);
                x = FloatVector.broadcast(S, ap[ai + 4]);
                c40 = b0.fma(x, c40);
                c41 = b1.fma(x, c41);
                x = FloatVector.broadcast(S, ap[ai + 5]);
                c50 = b0.fma(x, c50);
                c51 = b1.fma(x, c51);
                int bon = i0 + koff[t + 1];
                FloatVector b0n = FloatVector.fromArray(S, in, bon);
                FloatVector b1n = FloatVector.fromArray(S, in, bon + L);
                FloatVector xn = FloatVector.broadcast(S, ap[ai + 6]);
                c00 = b0n.fma(xn, c00);
                c01 = b1n.fma(xn, c01);
                xn = FloatVector.broadcast(S, ap[ai + 7]);
                c10 = b0n.fma(xn, c10);
                c11 = b1n.fma(xn, c11);
                xn = FloatVector.broadcast(S, ap[ai + 8]);
                c20 = b0n.fma(xn, c20);
                c21 = b1n.fma(xn, c21);
                xn = FloatVector.broadcast(S, ap[ai + 9]);
                c30 = b0n.fma(xn, c30);
                c31 = b1n.fma(xn, c31);
                xn = FloatVector.broadcast(S, ap[ai + 10]);
                c40 = b0n.fma(xn, c40);
                c41 = b1n.fma(xn, c41);
                xn = FloatVector.broadcast(S, ap[ai + 11]);
                c50 = b0n.fma(xn, c50);
                c51 = b1n.fma(xn, c51);
            }
            if (t < k) {
                int bo = i0 + koff[t];
                FloatVector b0 = FloatVector.fromArray(S, in, bo);
                FloatVector b1 = FloatVector.fromArray(S, in, bo + L);
                FloatVector x = FloatVector.broadcast(S, ap[ai]);
                c00 = b0.fma(x, c00);
                c01 = b1.fma(x, c01);
                x = FloatVector.broadcast(S, ap[ai + 1]);
                c10 = b0.fma(x, c10);
                c11 = b1.fma(x, c11);
                x = FloatVector.broadcast(S, ap[ai + 2]);
                c20 = b0.fma(x, c20);
                c21 = b1.fma(x, c21);
                x = FloatVector.broadcast(S, ap[ai + 3]);
                c30 = b0.fma(x, c30);
                c31 = b1.fma(x, c31);
                x = FloatVector.broadcast(S, ap[ai + 4]);
                c40 = b0.fma(x, c40);
                c41 = b1.fma(x, c41);
                x = FloatVector.broadcast(S, ap[ai + 5]);
                c50 = b0.fma(x, c50);
                c51 = b1.fma(x, c51);
            }
            if (cols == WIDTH) {
                c00.intoArray(c, c0);
                c01.intoArray(c, c0 + L);
                c10.intoArray(c, c0 + ldc);
                c11.intoArray(c, c0 + ldc + L);
                c20.intoArray(c, c0 + 2 * ldc);
                c21.intoArray(c, c0 + 2 * ldc + L);
                c30.intoArray(c, c0 + 3 * ldc);
                c31.intoArray(c, c0 + 3 * ldc + L);
                c40.intoArray(c, c0 + 4 * ldc);
                c41.intoArray(c, c0 + 4 * ldc + L);
                c50.intoArray(c, c0 + 5 * ldc);
                c51.intoArray(c, c0 + 5 * ldc + L);
            } else {
                // A row narrower than a unit: through the unit's scratch (a masked store is not intrinsified on
                // AVX2 in JDK 17).
                c00.intoArray(scratch, s0);
                c01.intoArray(scratch, s0 + L);
                System.arraycopy(scratch, s0, c, c0, cols);
                c10.intoArray(scratch, s0);
                c11.intoArray(scratch, s0 + L);
                System.arraycopy(scratch, s0, c, c0 + ldc, cols);
                c20.intoArray(scratch, s0);
                c21.intoArray(scratch, s0 + L);
                System.arraycopy(scratch, s0, c, c0 + 2 * ldc, cols);
                c30.intoArray(scratch, s0);
                c31.intoArray(scratch, s0 + L);
                System.arraycopy(scratch, s0, c, c0 + 3 * ldc, cols);
                c40.intoArray(scratch, s0);
                c41.intoArray(scratch, s0 + L);
                System.arraycopy(scratch, s0, c, c0 + 4 * ldc, cols);
                c50.intoArray(scratch, s0);
                c51.intoArray(scratch, s0 + L);
                System.arraycopy(scratch, s0, c, c0 + 5 * ldc, cols);
            }
            if (++xb == nx) {
                xb = 0;
                inRow += wp;
                outRow += ow;
            }
        }
    }

    /** Five channels of {@code count} consecutive units of one plane (see {@link #run}). */
    private static void block5(float[] ap, int a0, float[] bias, int bi, float[] in, int inRow, int wp, int[] koff,
                               int k, float[] c, int outRow, int ow, int ldc, int xb, int nx, int lastX, int count,
                               int cols, float[] scratch, int s0) {
        for (int j = 0; j < count; j++, s0 += WIDTH) {
            int x0 = Math.min(xb * WIDTH, lastX);
            int i0 = inRow + x0;
            int c0 = outRow + x0;
            FloatVector c00 = FloatVector.broadcast(S, bias[bi]);
            FloatVector c01 = c00;
            FloatVector c10 = FloatVector.broadcast(S, bias[bi + 1]);
            FloatVector c11 = c10;
            FloatVector c20 = FloatVector.broadcast(S, bias[bi + 2]);
            FloatVector c21 = c20;
            FloatVector c30 = FloatVector.broadcast(S, bias[bi + 3]);
            FloatVector c31 = c30;
            FloatVector c40 = FloatVector.broadcast(S, bias[bi + 4]);
            FloatVector c41 = c40;
            int t = 0;
            int ai = a0;
            for (; t < k - 1; t += 2, ai += 10) {
                int bo = i0 + koff[t];
                FloatVector b0 = FloatVector.fromArray(S, in, bo);
                FloatVector b1 = FloatVector.fromArray(S, in, bo + L);
                FloatVector x = FloatVector.broadcast(S, ap[ai]);
                c00 = b0.fma(x, c00);
                c01 = b1.fma(x, c01);
                x = FloatVector.broadcast(S, ap[ai + 1]);
                c10 = b0.fma(x, c10);
                c11 = b1.fma(x, c11);
                x = FloatVector.broadcast(S, ap[ai + 2]);
                c20 = b0.fma(x, c20);
                c21 = b1.fma(x, c21);
                x = FloatVector.broadcast(S, ap[ai + 3]);
                c30 = b0.fma(x, c30);
                c31 = b1.fma(x, c31);
                x = FloatVector.broadcast(S, ap[ai + 4]);
                c40 = b0.fma(x, c40);
                c41 = b1.fma(x, c41);
                int bon = i0 + koff[t + 1];
                FloatVector b0n = FloatVector.fromArray(S, in, bon);
                FloatVector b1n = FloatVector.fromArray(S, in, bon + L);
                FloatVector xn = FloatVector.broadcast(S, ap[ai + 5]);
                c00 = b0n.fma(xn, c00);
                c01 = b1n.fma(xn, c01);
                xn = FloatVector.broadcast(S, ap[ai + 6]);
                c10 = b0n.fma(xn, c10);
                c11 = b1n.fma(xn, c11);
                xn = FloatVector.broadcast(S, ap[ai + 7]);
                c20 = b0n.fma(xn, c20);
                c21 = b1n.fma(xn, c21);
                xn = FloatVector.broadcast(S, ap[ai + 8]);
                c30 = b0n.fma(xn, c30);
                c31 = b1n.fma(xn, c31);
                xn = FloatVector.broadcast(S, ap[ai + 9]);
                c40 = b0n.fma(xn, c40);
                c41 = b1n.fma(xn, c41);
            }
            if (t < k) {
                int bo = i0 + koff[t];
                FloatVector b0 = FloatVector.fromArray(S, in, bo);
                FloatVector b1 = FloatVector.fromArray(S, in, bo + L);
                FloatVector x = FloatVector.broadcast(S, ap[ai]);
                c00 = b0.fma(x, c00);
                c01 = b1.fma(x, c01);
                x = FloatVector.broadcast(S, ap[ai + 1]);
                c10 = b0.fma(x, c10);
                c11 = b1.fma(x, c11);
                x = FloatVector.broadcast(S, ap[ai + 2]);
                c20 = b0.fma(x, c20);
                c21 = b1.fma(x, c21);
                x = FloatVector.broadcast(S, ap[ai + 3]);
                c30 = b0.fma(x, c30);
                c31 = b1.fma(x, c31);
                x = FloatVector.broadcast(S, ap[ai + 4]);
                c40 = b0.fma(x, c40);
                c41 = b1.fma(x, c41);
            }
            if (cols == WIDTH) {
                c00.intoArray(c, c0);
                c01.intoArray(c, c0 + L);
                c10.intoArray(c, c0 + ldc);
                c11.intoArray(c, c0 + ldc + L);
                c20.intoArray(c, c0 + 2 * ldc);
                c21.intoArray(c, c0 + 2 * ldc + L);
                c30.intoArray(c, c0 + 3 * ldc);
                c31.intoArray(c, c0 + 3 * ldc + L);
                c40.intoArray(c, c0 + 4 * ldc);
                c41.intoArray(c, c0 + 4 * ldc + L);
            } else {
                c00.intoArray(scratch, s0);
                c01.intoArray(scratch, s0 + L);
                System.arraycopy(scratch, s0, c, c0, cols);
                c10.intoArray(scratch, s0);
                c11.intoArray(scratch, s0 + L);
                System.arraycopy(scratch, s0, c, c0 + ldc, cols);
                c20.intoArray(scratch, s0);
                c21.intoArray(scratch, s0 + L);
                System.arraycopy(scratch, s0, c, c0 + 2 * ldc, cols);
                c30.intoArray(scratch, s0);
                c31.intoArray(scratch, s0 + L);
                System.arraycopy(scratch, s0, c, c0 + 3 * ldc, cols);
                c40.intoArray(scratch, s0);
                c41.intoArray(scratch, s0 + L);
                System.arraycopy(scratch, s0, c, c0 + 4 * ldc, cols);
            }
            if (++xb == nx) {
                xb = 0;
                inRow += wp;
                outRow += ow;
            }
        }
    }

    /**
     * Four channels ({@code rows} of them stored, 1 to 4: the rest repeat the last one) of {@code count} consecutive
     * units of one plane (see {@link #run}).
     */
    private static void block4(float[] ap, int a0, float[] bias, int bi, float[] in, int inRow, int wp, int[] koff,
                               int k, int rows, float[] c, int outRow, int ow, int ldc, int xb, int nx, int lastX,
                               int count, int cols, float[] scratch, int s0) {
        for (int j = 0; j < count; j++, s0 += WIDTH) {
            int x0 = Math.min(xb * WIDTH, lastX);
            int i0 = inRow + x0;
            int c0 = outRow + x0;
            FloatVector c00 = FloatVector.broadcast(S, bias[bi]);
            FloatVector c01 = c00;
            FloatVector c10 = FloatVector.broadcast(S, bias[bi + 1]);
            FloatVector c11 = c10;
            FloatVector c20 = FloatVector.broadcast(S, bias[bi + 2]);
            FloatVector c21 = c20;
            FloatVector c30 = FloatVector.broadcast(S, bias[bi + 3]);
            FloatVector c31 = c30;
            int t = 0;
            int ai = a0;
            for (; t < k - 1; t += 2, ai += 8) {
                int bo = i0 + koff[t];
                FloatVector b0 = FloatVector.fromArray(S, in, bo);
                FloatVector b1 = FloatVector.fromArray(S, in, bo + L);
                FloatVector x = FloatVector.broadcast(S, ap[ai]);
                c00 = b0.fma(x, c00);
                c01 = b1.fma(x, c01);
                x = FloatVector.broadcast(S, ap[ai + 1]);
                c10 = b0.fma(x, c10);
                c11 = b1.fma(x, c11);
                x = FloatVector.broadcast(S, ap[ai + 2]);
                c20 = b0.fma(x, c20);
                c21 = b1.fma(x, c21);
                x = FloatVector.broadcast(S, ap[ai + 3]);
                c30 = b0.fma(x, c30);
                c31 = b1.fma(x, c31);
                int bon = i0 + koff[t + 1];
                FloatVector b0n = FloatVector.fromArray(S, in, bon);
                FloatVector b1n = FloatVector.fromArray(S, in, bon + L);
                FloatVector xn = FloatVector.broadcast(S, ap[ai + 4]);
                c00 = b0n.fma(xn, c00);
                c01 = b1n.fma(xn, c01);
                xn = FloatVector.broadcast(S, ap[ai + 5]);
                c10 = b0n.fma(xn, c10);
                c11 = b1n.fma(xn, c11);
                xn = FloatVector.broadcast(S, ap[ai + 6]);
                c20 = b0n.fma(xn, c20);
                c21 = b1n.fma(xn, c21);
                xn = FloatVector.broadcast(S, ap[ai + 7]);
                c30 = b0n.fma(xn, c30);
                c31 = b1n.fma(xn, c31);
            }
            if (t < k) {
                int bo = i0 + koff[t];
                FloatVector b0 = FloatVector.fromArray(S, in, bo);
                FloatVector b1 = FloatVector.fromArray(S, in, bo + L);
                FloatVector x = FloatVector.broadcast(S, ap[ai]);
                c00 = b0.fma(x, c00);
                c01 = b1.fma(x, c01);
                x = FloatVector.broadcast(S, ap[ai + 1]);
                c10 = b0.fma(x, c10);
                c11 = b1.fma(x, c11);
                x = FloatVector.broadcast(S, ap[ai + 2]);
                c20 = b0.fma(x, c20);
                c21 = b1.fma(x, c21);
                x = FloatVector.broadcast(S, ap[ai + 3]);
                c30 = b0.fma(x, c30);
                c31 = b1.fma(x, c31);
            }
            if (cols == WIDTH) {
                c00.intoArray(c, c0);
                c01.intoArray(c, c0 + L);
                if (rows > 1) {
                    c10.intoArray(c, c0 + ldc);
                    c11.intoArray(c, c0 + ldc + L);
                }
                if (rows > 2) {
                    c20.intoArray(c, c0 + 2 * ldc);
                    c21.intoArray(c, c0 + 2 * ldc + L);
                }
                if (rows > 3) {
                    c30.intoArray(c, c0 + 3 * ldc);
                    c31.intoArray(c, c0 + 3 * ldc + L);
                }
            } else {
                c00.intoArray(scratch, s0);
                c01.intoArray(scratch, s0 + L);
                System.arraycopy(scratch, s0, c, c0, cols);
                if (rows > 1) {
                    c10.intoArray(scratch, s0);
                    c11.intoArray(scratch, s0 + L);
                    System.arraycopy(scratch, s0, c, c0 + ldc, cols);
                }
                if (rows > 2) {
                    c20.intoArray(scratch, s0);
                    c21.intoArray(scratch, s0 + L);
                    System.arraycopy(scratch, s0, c, c0 + 2 * ldc, cols);
                }
                if (rows > 3) {
                    c30.intoArray(scratch, s0);
                    c31.intoArray(scratch, s0 + L);
                    System.arraycopy(scratch, s0, c, c0 + 3 * ldc, cols);
                }
            }
            if (++xb == nx) {
                xb = 0;
                inRow += wp;
                outRow += ow;
            }
        }
    }
}
