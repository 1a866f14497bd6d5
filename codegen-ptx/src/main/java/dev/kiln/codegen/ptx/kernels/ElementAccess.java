package dev.kiln.codegen.ptx.kernels;

import dev.kiln.codegen.ptx.asm.PtxBuilder;
import dev.kiln.codegen.ptx.asm.Reg;
import dev.kiln.ir.DType;

/**
 * Typed global loads and stores of one element, converting to and from the {@code f32} compute type.
 *
 * <p>Inputs may be {@code f32}, {@code bool} (one byte), {@code i32} or {@code i64}; integers convert with
 * round-to-nearest, exact up to 2^24 in magnitude. Outputs are {@code f32} or {@code bool} (a value is true when
 * it is not equal to zero, NaN included). Loads use the read-only path ({@code ld.global.nc}): a kernel never
 * writes a buffer it reads, which the executor guarantees by giving every output a fresh buffer.
 */
public final class ElementAccess {
    private ElementAccess() {}

    public static boolean loadable(DType t) {
        return t == DType.FLOAT32 || t == DType.BOOL || t == DType.INT32 || t == DType.INT64;
    }

    public static boolean storable(DType t) {
        return t == DType.FLOAT32 || t == DType.BOOL;
    }

    /** Loads the element at byte address {@code addr} and returns it as f32. */
    public static Reg load(PtxBuilder b, DType t, Reg addr) {
        Reg f = b.f32();
        switch (t) {
            case FLOAT32 -> b.op("ld.global.nc.f32", f, PtxBuilder.addr(addr, 0));
            case BOOL -> {
                Reg r = b.r32();
                b.op("ld.global.nc.u8", r, PtxBuilder.addr(addr, 0));
                b.op("cvt.rn.f32.u32", f, r);
            }
            case INT32 -> {
                Reg r = b.r32();
                b.op("ld.global.nc.s32", r, PtxBuilder.addr(addr, 0));
                b.op("cvt.rn.f32.s32", f, r);
            }
            case INT64 -> {
                Reg r = b.r64();
                b.op("ld.global.nc.s64", r, PtxBuilder.addr(addr, 0));
                b.op("cvt.rn.f32.s64", f, r);
            }
            default -> throw new IllegalArgumentException("PTX load: expected f32, bool, i32 or i64, found " + t.irName());
        }
        return f;
    }

    /** Stores f32 {@code value} as type {@code t} at byte address {@code addr}. */
    public static void store(PtxBuilder b, DType t, Reg addr, Reg value) {
        switch (t) {
            case FLOAT32 -> b.op("st.global.f32", PtxBuilder.addr(addr, 0), value);
            case BOOL -> {
                Reg p = b.pred();
                b.op("setp.neu.f32", p, value, 0.0f);
                Reg r = b.r32();
                b.op("selp.u32", r, 1, 0, p);
                b.op("st.global.u8", PtxBuilder.addr(addr, 0), r);
            }
            default -> throw new IllegalArgumentException("PTX store: expected f32 or bool, found " + t.irName());
        }
    }

    /** {@code base + index * itemSize} as a 64-bit address; {@code index} is an unsigned 32-bit register. */
    public static Reg address(PtxBuilder b, Reg base, Reg index, int itemSize) {
        Reg off = b.r64();
        b.op("mul.wide.u32", off, index, itemSize);
        Reg a = b.r64();
        b.op("add.s64", a, base, off);
        return a;
    }
}
