package dev.kiln.codegen.ptx.kernels;

import dev.kiln.codegen.ptx.asm.PtxBuilder;
import dev.kiln.codegen.ptx.asm.Reg;

/**
 * Moves one operand's {@code 128 x BK} tile per K-step from global memory into registers, then into a shared-memory
 * buffer laid out {@code [BK][128 + 4]} (k-major rows of the M or N extent; the 4-float pad spreads the transposing
 * stores over all 32 banks and keeps rows 16-byte aligned for vector reads).
 *
 * <p>Two source layouts: <b>k-contiguous</b> (element {@code (mn, k)} at {@code mn * ld + k}: A, and B when
 * transposed) and <b>mn-contiguous</b> (element {@code (k, mn)} at {@code k * ld + mn}: B). In both, consecutive
 * threads read consecutive addresses. Out-of-range elements (beyond M/N or K) load as zero, so partial tiles need
 * no special case in the inner product. Protocol per K-step: {@link #load()} (issues the global loads and advances
 * to the next tile), later {@link #store(Reg)} into the buffer at a shared address.
 */
final class GemmTileLoader {
    static final int ROW = GemmSpec.TILE + 4;

    private final PtxBuilder b;
    private final boolean kContiguous;
    private final boolean toTf32;
    private final int bk;
    private final int count;
    private final Reg kLimit;
    private final Reg[] ptr;
    private final Reg[] mnValid;
    private final Reg kIdx;
    private final Reg stepBytes;
    private final Reg storeOff;
    private final int storeStride;
    private final int kStride;
    private final Reg[] values;

    /**
     * Emits the per-thread set-up. {@code base} is the operand's global address for this batch item, {@code ld} its
     * leading dimension, {@code mn0} the tile's first row/column, {@code mnLimit} M or N, {@code kLimit} K.
     */
    GemmTileLoader(PtxBuilder b, boolean kContiguous, boolean toTf32, int bk, Reg tid, Reg base, Reg ld, Reg mn0,
            Reg mnLimit, Reg kLimit) {
        this.b = b;
        this.kContiguous = kContiguous;
        this.toTf32 = toTf32;
        this.bk = bk;
        this.count = GemmSpec.TILE * bk / GemmSpec.THREADS;
        this.kLimit = kLimit;
        this.ptr = new Reg[count];
        this.values = new Reg[count];
        for (int j = 0; j < count; j++) values[j] = b.f32();
        int perPass = GemmSpec.THREADS / (kContiguous ? bk : GemmSpec.TILE);
        Reg kLocal = b.r32();
        Reg mnLocal = b.r32();
        if (kContiguous) {
            b.op("rem.u32", kLocal, tid, bk);
            b.op("div.u32", mnLocal, tid, bk);
        } else {
            b.op("div.u32", kLocal, tid, GemmSpec.TILE);
            b.op("rem.u32", mnLocal, tid, GemmSpec.TILE);
        }
        Reg mn = b.r32();
        b.op("add.u32", mn, mn0, mnLocal);
        this.kIdx = kLocal;
        this.mnValid = new Reg[kContiguous ? count : 1];
        for (int j = 0; j < mnValid.length; j++) {
            mnValid[j] = b.pred();
            b.op("setp.lt.u32", mnValid[j], mn, mnLimit);
            if (j + 1 < mnValid.length) {
                Reg next = b.r32();
                b.op("add.u32", next, mn, perPass);
                mn = next;
            }
        }
        // Element index of this thread's first element: (mn0 + mnLocal) * ld + kLocal, or kLocal * ld + mn0 + mnLocal.
        Reg first = b.r32();
        if (kContiguous) {
            Reg row = b.r32();
            b.op("add.u32", row, mn0, mnLocal);
            b.op("mad.lo.u32", first, row, ld, kLocal);
        } else {
            Reg col = b.r32();
            b.op("add.u32", col, mn0, mnLocal);
            b.op("mad.lo.u32", first, kLocal, ld, col);
        }
        // Distance between this thread's consecutive elements in one tile, and between tiles.
        Reg passBytes = b.r64();
        if (kContiguous) b.op("mul.wide.u32", passBytes, ld, perPass * 4);
        else b.op("mul.wide.u32", passBytes, ld, (GemmSpec.THREADS / GemmSpec.TILE) * 4);
        this.stepBytes = b.r64();
        if (kContiguous) b.op("mov.u64", stepBytes, (long) bk * 4);
        else b.op("mul.wide.u32", stepBytes, ld, bk * 4);
        ptr[0] = ElementAccess.address(b, base, first, 4);
        for (int j = 1; j < count; j++) {
            ptr[j] = b.r64();
            b.op("add.s64", ptr[j], ptr[j - 1], passBytes);
        }
        // Shared byte offset of the first element: kLocal * ROW + mnLocal floats; consecutive elements are
        // perPass rows of mn apart (k-contiguous) or perPass rows of k apart (mn-contiguous).
        this.storeOff = b.r32();
        Reg t = b.r32();
        b.op("mad.lo.u32", t, kLocal, ROW, mnLocal);
        b.op("shl.b32", storeOff, t, 2);
        this.storeStride = kContiguous ? perPass * 4 : perPass * ROW * 4;
        this.kStride = kContiguous ? 0 : perPass;
    }

    /** Loads this thread's elements of the current tile (zero outside the matrix) and advances to the next tile. */
    void load() {
        Reg inK = b.pred();
        if (kContiguous) b.op("setp.lt.u32", inK, kIdx, kLimit);
        for (int j = 0; j < count; j++) {
            Reg ok = b.pred();
            if (kContiguous) {
                b.op("and.pred", ok, inK, mnValid[j]);
            } else {
                Reg k = b.r32();
                b.op("add.u32", k, kIdx, j * kStride);
                b.op("setp.lt.and.u32", ok, k, kLimit, mnValid[0]);
            }
            b.op("mov.f32", values[j], 0.0f);
            b.opIf(ok, false, "ld.global.nc.f32", values[j], PtxBuilder.addr(ptr[j], 0));
            b.op("add.s64", ptr[j], ptr[j], stepBytes);
        }
        b.op("add.u32", kIdx, kIdx, bk);
    }

    /** Stores the loaded elements into the buffer starting at shared address {@code buffer} (TF32-rounded if asked). */
    void store(Reg buffer) {
        Reg at = b.r32();
        b.op("add.u32", at, buffer, storeOff);
        for (int j = 0; j < count; j++) {
            String dst = "[" + at + (j == 0 ? "" : "+" + (j * storeStride)) + "]";
            if (toTf32) {
                Reg t = b.r32();
                b.op("cvt.rna.tf32.f32", t, values[j]);
                b.op("st.shared.b32", dst, t);
            } else {
                b.op("st.shared.f32", dst, values[j]);
            }
        }
    }

    /** Bytes of one {@code [BK][ROW]} buffer. */
    static int bufferBytes(int bk) { return bk * ROW * 4; }
}
