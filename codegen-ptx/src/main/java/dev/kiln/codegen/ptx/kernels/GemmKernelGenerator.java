package dev.kiln.codegen.ptx.kernels;

import dev.kiln.codegen.ptx.LaunchConfig;
import dev.kiln.codegen.ptx.PtxKernel;
import dev.kiln.codegen.ptx.asm.Label;
import dev.kiln.codegen.ptx.asm.PtxBuilder;
import dev.kiln.codegen.ptx.asm.PtxTarget;
import dev.kiln.codegen.ptx.asm.Reg;
import dev.kiln.codegen.ptx.asm.RegClass;

/**
 * Renders a {@link GemmSpec}: 128 x 128 tiles of C per block of 256 threads, double-buffered shared memory, and an
 * inner product supplied by the precision's {@link GemmMicroKernel} (FP32: 8 x 8 FFMA register blocking per thread;
 * TF32: a 2 x 4 grid of warps, each 64 x 32 of {@code mma.sync.m16n8k8}).
 *
 * <p>Pipeline, one barrier per K-step: while the block multiplies the tile in buffer {@code cur}, each thread already
 * holds the next tile's elements in registers (issued before the multiply, so global latency overlaps arithmetic);
 * after the multiply it stores them into the other buffer and the block synchronises. A thread can only overwrite
 * a buffer after every thread passed the previous barrier, i.e. finished reading it, so one barrier suffices.
 */
public final class GemmKernelGenerator {
    private GemmKernelGenerator() {}

    /** The grid for C of {@code m x n} over {@code batch} items. */
    public static LaunchConfig launch(long m, long n, long batch) {
        long gx = Math.max(1, (n + GemmSpec.TILE - 1) / GemmSpec.TILE);
        long gy = Math.max(1, (m + GemmSpec.TILE - 1) / GemmSpec.TILE);
        if (gx > Integer.MAX_VALUE || gy > 65535 || batch > 65535 || batch < 1) {
            throw new IllegalArgumentException("gemm launch: expected M <= " + 65535L * GemmSpec.TILE
                    + " and 1 <= batch <= 65535, found M=" + m + " N=" + n + " batch=" + batch);
        }
        return new LaunchConfig((int) gx, (int) gy, (int) batch, GemmSpec.THREADS);
    }

    public static PtxKernel generate(GemmSpec spec, PtxTarget target) {
        PtxBuilder b = new PtxBuilder(target, spec.name());
        b.maxThreads(GemmSpec.THREADS);
        GemmMicroKernel micro = spec.precision() == GemmSpec.Precision.TF32 ? new GemmMicroKernel.Tf32() : new GemmMicroKernel.Ffma();
        int bk = micro.bk();
        Reg a = pointer(b, "a");
        Reg bm = pointer(b, "b");
        Reg c = pointer(b, "c");
        Reg bias = spec.hasBias() ? pointer(b, "bias") : null;
        Reg m = b.loadParam("M", "u32", RegClass.R32);
        Reg n = b.loadParam("N", "u32", RegClass.R32);
        Reg k = b.loadParam("K", "u32", RegClass.R32);
        Reg strideA = b.loadParam("strideA", "u64", RegClass.R64);
        Reg strideB = b.loadParam("strideB", "u64", RegClass.R64);
        Reg strideC = b.loadParam("strideC", "u64", RegClass.R64);
        b.comment(spec.precision() + " GEMM, B " + (spec.bTransposed() ? "[N, K]" : "[K, N]") + ", 128x128x" + bk
                + " tiles, double-buffered");

        Reg z = b.r32();
        b.op("mov.u32", z, "%ctaid.z");
        a = batchOffset(b, a, z, strideA);
        bm = batchOffset(b, bm, z, strideB);
        c = batchOffset(b, c, z, strideC);
        Reg tid = b.r32();
        b.op("mov.u32", tid, "%tid.x");
        Reg m0 = b.r32();
        b.op("mov.u32", m0, "%ctaid.y");
        b.op("shl.b32", m0, m0, 7);
        Reg n0 = b.r32();
        b.op("mov.u32", n0, "%ctaid.x");
        b.op("shl.b32", n0, n0, 7);

        GemmTileLoader la = new GemmTileLoader(b, true, micro.tf32(), bk, tid, a, k, m0, m, k);
        GemmTileLoader lb = new GemmTileLoader(b, spec.bTransposed(), micro.tf32(), bk, tid, bm, spec.bTransposed() ? k : n, n0, n, k);
        int bufBytes = GemmTileLoader.bufferBytes(bk);
        Reg sa = b.r32();
        b.op("mov.u32", sa, b.shared("sa", 16, 2 * bufBytes));
        Reg sb = b.r32();
        b.op("mov.u32", sb, b.shared("sb", 16, 2 * bufBytes));
        GemmMicroKernel.Fragments frag = micro.setUp(b, tid, sa, sb, m0, n0);

        // tiles = max(1, ceil(K / BK)); K == 0 multiplies one all-zero tile.
        Reg tiles = b.r32();
        b.op("add.u32", tiles, k, bk - 1);
        b.op("shr.u32", tiles, tiles, Integer.numberOfTrailingZeros(bk));
        b.op("max.u32", tiles, tiles, 1);
        la.load();
        lb.load();
        la.store(sa);
        lb.store(sb);
        b.op("bar.sync", 0);
        Reg sel = b.r32();
        b.op("mov.u32", sel, 0);
        Reg kt = b.r32();
        b.op("mov.u32", kt, 1);

        Label loop = b.label("ktile");
        Label noPrefetch = b.label("no_prefetch");
        Label exit = b.label("kdone");
        b.bind(loop);
        Reg hasNext = b.pred();
        b.op("setp.lt.u32", hasNext, kt, tiles);
        b.braIf(hasNext, true, noPrefetch);
        la.load();
        lb.load();
        b.bind(noPrefetch);
        micro.multiply(b, frag, sel);
        b.braIf(hasNext, true, exit);
        Reg other = b.r32();
        b.op("sub.u32", other, bufBytes, sel);
        Reg wa = b.r32();
        b.op("add.u32", wa, sa, other);
        Reg wb = b.r32();
        b.op("add.u32", wb, sb, other);
        la.store(wa);
        lb.store(wb);
        b.op("bar.sync", 0);
        b.op("mov.u32", sel, other);
        b.op("add.u32", kt, kt, 1);
        b.bra(loop);
        b.bind(exit);

        GemmEpilogue.emit(b, spec, c, bias, m, n, frag.rows(), frag.cols(), frag.acc());
        return new PtxKernel(spec.name(), b.build());
    }

    private static Reg pointer(PtxBuilder b, String name) {
        Reg generic = b.loadParam(name, "u64", RegClass.R64);
        Reg global = b.r64();
        b.op("cvta.to.global.u64", global, generic);
        return global;
    }

    // base + z * stride * 4
    private static Reg batchOffset(PtxBuilder b, Reg base, Reg z, Reg stride) {
        Reg z64 = b.r64();
        b.op("cvt.u64.u32", z64, z);
        Reg off = b.r64();
        b.op("mul.lo.u64", off, z64, stride);
        Reg out = b.r64();
        b.op("shl.b64", off, off, 2);
        b.op("add.s64", out, base, off);
        return out;
    }
}
