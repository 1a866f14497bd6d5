package dev.kiln.codegen.ptx.kernels;

import dev.kiln.codegen.ptx.asm.PtxBuilder;
import dev.kiln.codegen.ptx.asm.Reg;

/**
 * The inner product of one 128 x 128 block tile over one K-step read from shared memory: which C elements each
 * thread owns and how it accumulates them. Both implementations read the {@code [BK][132]} buffers
 * {@link GemmTileLoader} writes, at a per-thread base plus immediates, with no bank conflicts on the reads.
 */
sealed interface GemmMicroKernel {

    /** A thread's accumulators and the absolute C rows/columns they belong to, plus its shared read bases. */
    record Fragments(Reg[] rows, Reg[] cols, Reg[][] acc, Reg aBase, Reg bBase) {}

    /** K-step depth. */
    int bk();

    /** Whether operands are stored in shared memory as TF32 bit patterns. */
    boolean tf32();

    Fragments setUp(PtxBuilder b, Reg tid, Reg sa, Reg sb, Reg m0, Reg n0);

    /** Accumulates the K-step in the buffers at byte offset {@code sel}. */
    void multiply(PtxBuilder b, Fragments f, Reg sel);

    /**
     * Exact FP32: the 256 threads form a 16 x 16 grid; thread (tx, ty) owns rows {@code ty*4 + {0..3}} and
     * {@code 64 + ty*4 + {0..3}}, columns likewise with tx — split in two halves so a warp's 16-byte reads of a
     * row cover 256 contiguous bytes. Per k: two {@code ld.shared.v4} for A, two for B, 64 {@code fma.rn.f32}.
     */
    final class Ffma implements GemmMicroKernel {
        private static final int ROW_BYTES = GemmTileLoader.ROW * 4;

        @Override public int bk() { return 8; }
        @Override public boolean tf32() { return false; }

        @Override
        public Fragments setUp(PtxBuilder b, Reg tid, Reg sa, Reg sb, Reg m0, Reg n0) {
            Reg tx = b.r32();
            b.op("and.b32", tx, tid, 15);
            Reg ty = b.r32();
            b.op("shr.u32", ty, tid, 4);
            Reg aBase = b.r32();
            b.op("mad.lo.u32", aBase, ty, 16, sa);
            Reg bBase = b.r32();
            b.op("mad.lo.u32", bBase, tx, 16, sb);
            Reg[] rows = owned(b, m0, ty);
            Reg[] cols = owned(b, n0, tx);
            Reg[][] acc = new Reg[8][8];
            for (int i = 0; i < 8; i++) {
                for (int j = 0; j < 8; j++) {
                    acc[i][j] = b.f32();
                    b.op("mov.f32", acc[i][j], 0.0f);
                }
            }
            return new Fragments(rows, cols, acc, aBase, bBase);
        }

        // origin + t*4 + {0,1,2,3} and origin + 64 + t*4 + {0,1,2,3}
        private static Reg[] owned(PtxBuilder b, Reg origin, Reg t) {
            Reg first = b.r32();
            b.op("mad.lo.u32", first, t, 4, origin);
            Reg[] out = new Reg[8];
            for (int i = 0; i < 8; i++) {
                out[i] = b.r32();
                b.op("add.u32", out[i], first, (i < 4 ? i : 64 + i - 4));
            }
            return out;
        }

        @Override
        public void multiply(PtxBuilder b, Fragments f, Reg sel) {
            Reg ra = b.r32();
            b.op("add.u32", ra, f.aBase(), sel);
            Reg rb = b.r32();
            b.op("add.u32", rb, f.bBase(), sel);
            for (int kk = 0; kk < bk(); kk++) {
                Reg[] av = fragment(b, ra, kk);
                Reg[] bv = fragment(b, rb, kk);
                for (int i = 0; i < 8; i++) {
                    for (int j = 0; j < 8; j++) b.op("fma.rn.f32", f.acc()[i][j], av[i], bv[j], f.acc()[i][j]);
                }
            }
        }

        private static Reg[] fragment(PtxBuilder b, Reg base, int kk) {
            Reg[] v = new Reg[8];
            for (int i = 0; i < 8; i++) v[i] = b.f32();
            int off = kk * ROW_BYTES;
            b.op("ld.shared.v4.f32", PtxBuilder.vec(v[0], v[1], v[2], v[3]), "[" + base + "+" + off + "]");
            b.op("ld.shared.v4.f32", PtxBuilder.vec(v[4], v[5], v[6], v[7]), "[" + base + "+" + (off + 256) + "]");
            return v;
        }
    }

    /**
     * TF32 tensor cores: 8 warps as 2 (M) x 4 (N), each warp a 64 x 32 sub-tile = 4 x 4 {@code mma.m16n8k8}
     * fragments. Lane {@code l} has {@code g = l / 4}, {@code t = l % 4}; per the PTX ISA fragment layout for
     * {@code .tf32} m16n8k8: A regs a0..a3 hold (g, t), (g+8, t), (g, t+4), (g+8, t+4); B regs b0, b1 hold
     * (k = t, n = g), (t+4, g); C regs c0..c3 hold (g, 2t), (g, 2t+1), (g+8, 2t), (g+8, 2t+1).
     */
    final class Tf32 implements GemmMicroKernel {
        private static final int ROW = GemmTileLoader.ROW;

        @Override public int bk() { return 16; }
        @Override public boolean tf32() { return true; }

        @Override
        public Fragments setUp(PtxBuilder b, Reg tid, Reg sa, Reg sb, Reg m0, Reg n0) {
            Reg lane = b.r32();
            b.op("and.b32", lane, tid, 31);
            Reg warp = b.r32();
            b.op("shr.u32", warp, tid, 5);
            Reg g = b.r32();
            b.op("shr.u32", g, lane, 2);
            Reg t = b.r32();
            b.op("and.b32", t, lane, 3);
            Reg wm = b.r32();
            b.op("shr.u32", wm, warp, 2);
            Reg wn = b.r32();
            b.op("and.b32", wn, warp, 3);
            // Shared read bases: (t * ROW + wm * 64 + g) floats into A, (t * ROW + wn * 32 + g) into B.
            Reg aBase = sharedBase(b, sa, t, wm, 64, g);
            Reg bBase = sharedBase(b, sb, t, wn, 32, g);
            Reg rowOrigin = b.r32();
            b.op("mad.lo.u32", rowOrigin, wm, 64, m0);
            b.op("add.u32", rowOrigin, rowOrigin, g);
            Reg colOrigin = b.r32();
            b.op("mad.lo.u32", colOrigin, wn, 32, n0);
            b.op("mad.lo.u32", colOrigin, t, 2, colOrigin);
            Reg[] rows = new Reg[8];
            Reg[] cols = new Reg[8];
            for (int mi = 0; mi < 4; mi++) {
                for (int h = 0; h < 2; h++) {
                    rows[mi * 2 + h] = b.r32();
                    b.op("add.u32", rows[mi * 2 + h], rowOrigin, mi * 16 + h * 8);
                }
            }
            for (int ni = 0; ni < 4; ni++) {
                for (int e = 0; e < 2; e++) {
                    cols[ni * 2 + e] = b.r32();
                    b.op("add.u32", cols[ni * 2 + e], colOrigin, ni * 8 + e);
                }
            }
            // acc[mi*2 + h][ni*2 + e] is c{h*2 + e} of fragment (mi, ni).
            Reg[][] acc = new Reg[8][8];
            for (int i = 0; i < 8; i++) {
                for (int j = 0; j < 8; j++) {
                    acc[i][j] = b.f32();
                    b.op("mov.f32", acc[i][j], 0.0f);
                }
            }
            return new Fragments(rows, cols, acc, aBase, bBase);
        }

        private static Reg sharedBase(PtxBuilder b, Reg buffer, Reg t, Reg w, int wSpan, Reg g) {
            Reg f = b.r32();
            b.op("mul.lo.u32", f, t, ROW);
            b.op("mad.lo.u32", f, w, wSpan, f);
            b.op("add.u32", f, f, g);
            Reg out = b.r32();
            b.op("mad.lo.u32", out, f, 4, buffer);
            return out;
        }

        @Override
        public void multiply(PtxBuilder b, Fragments f, Reg sel) {
            Reg ra = b.r32();
            b.op("add.u32", ra, f.aBase(), sel);
            Reg rb = b.r32();
            b.op("add.u32", rb, f.bBase(), sel);
            for (int ks = 0; ks < bk() / 8; ks++) {
                Reg[][] a = new Reg[4][];
                for (int mi = 0; mi < 4; mi++) {
                    int k0 = ks * 8;
                    a[mi] = new Reg[] {
                        load(b, ra, k0 * ROW + mi * 16),
                        load(b, ra, k0 * ROW + mi * 16 + 8),
                        load(b, ra, (k0 + 4) * ROW + mi * 16),
                        load(b, ra, (k0 + 4) * ROW + mi * 16 + 8)};
                }
                Reg[][] bf = new Reg[4][];
                for (int ni = 0; ni < 4; ni++) {
                    int k0 = ks * 8;
                    bf[ni] = new Reg[] {load(b, rb, k0 * ROW + ni * 8), load(b, rb, (k0 + 4) * ROW + ni * 8)};
                }
                for (int mi = 0; mi < 4; mi++) {
                    for (int ni = 0; ni < 4; ni++) {
                        Reg[][] acc = f.acc();
                        String d = PtxBuilder.vec(acc[mi * 2][ni * 2], acc[mi * 2][ni * 2 + 1],
                                acc[mi * 2 + 1][ni * 2], acc[mi * 2 + 1][ni * 2 + 1]);
                        b.op("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32", d, PtxBuilder.vec(a[mi]),
                                PtxBuilder.vec(bf[ni]), d);
                    }
                }
            }
        }

        private static Reg load(PtxBuilder b, Reg base, int floats) {
            Reg r = b.r32();
            b.op("ld.shared.b32", r, "[" + base + "+" + floats * 4 + "]");
            return r;
        }
    }
}
