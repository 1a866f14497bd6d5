package dev.kiln.codegen.ptx.kernels;

import dev.kiln.codegen.ptx.asm.PtxBuilder;
import dev.kiln.codegen.ptx.asm.Reg;

/**
 * Combines one {@code f32} value per thread across a thread block and leaves the result in every thread.
 *
 * <p>Within a warp: a butterfly of {@code shfl.sync.bfly} (offsets 16..1), after which every lane holds the warp's
 * value. Across warps (blocks of more than 32 threads): lane 0 of each warp writes to shared memory, a barrier, then
 * every thread combines the per-warp values in warp order (deterministic), and a second barrier so the next
 * reduction may reuse the slots. Requires all threads of the block to reach each call (no divergent exits before it).
 */
final class BlockReducer {
    private final PtxBuilder b;
    private final int warps;
    private final Reg lane;
    private final Reg warp;
    private final Reg slots;

    BlockReducer(PtxBuilder b, int threads, Reg tid) {
        this.b = b;
        this.warps = threads / 32;
        this.lane = b.r32();
        b.op("and.b32", lane, tid, 31);
        this.warp = b.r32();
        b.op("shr.u32", warp, tid, 5);
        if (warps > 1) {
            String name = b.shared("red", 4, warps * 4);
            slots = b.r32();
            b.op("mov.u32", slots, name);
        } else {
            slots = null;
        }
    }

    /** Combines {@code v} in place with {@code opcode d, a, b} (e.g. {@code add.rn.f32}, {@code max.NaN.f32}). */
    void reduce(Reg v, String opcode) {
        Reg t = b.f32();
        for (int off = 16; off >= 1; off >>= 1) {
            b.op("shfl.sync.bfly.b32", t, v, off, 31, "0xffffffff");
            b.op(opcode, v, v, t);
        }
        if (warps == 1) return;
        Reg first = b.pred();
        b.op("setp.eq.u32", first, lane, 0);
        Reg slot = b.r32();
        b.op("mad.lo.u32", slot, warp, 4, slots);
        b.opIf(first, false, "st.shared.f32", "[" + slot + "]", v);
        b.op("bar.sync", 0);
        b.op("ld.shared.f32", v, "[" + slots + "]");
        for (int w = 1; w < warps; w++) {
            b.op("ld.shared.f32", t, "[" + slots + "+" + (4 * w) + "]");
            b.op(opcode, v, v, t);
        }
        b.op("bar.sync", 0);
    }
}
