package dev.kiln.codegen.ptx.kir;

import dev.kiln.codegen.ptx.asm.PtxBuilder;
import dev.kiln.codegen.ptx.asm.Reg;
import dev.kiln.codegen.ptx.asm.RegClass;
import dev.kiln.codegen.ptx.kernels.ElementAccess;
import dev.kiln.ir.DType;

/**
 * Register representation of kernel IR values by dtype, and the conversions, constants, loads and stores between
 * them. {@code f32} and {@code bool} live in {@code f32} registers ({@code bool} as {@code 1.0f}/{@code 0.0f}, the
 * ALU table's convention), {@code f64} in {@code f64} registers, {@code i32} and {@code i64} in signed 64-bit
 * registers ({@code i32} results are wrapped to 32 bits by {@link #convert}). Conversions follow the kernel
 * interpreter's {@code round(dtype, x)}: to an integer truncates toward zero (NaN gives 0), to {@code bool} tests
 * {@code != 0} (NaN is true), to a float rounds to nearest.
 */
final class Values {
    private Values() {}

    /** A register holding a value of {@code dtype} in that dtype's representation. */
    record Value(Reg reg, DType dtype) {
    }

    static RegClass regClass(DType t) {
        return switch (t) {
            case FLOAT32, BOOL -> RegClass.F32;
            case FLOAT64 -> RegClass.F64;
            case INT32, INT64 -> RegClass.R64;
        };
    }

    static boolean isFloat(DType t) { return t == DType.FLOAT32 || t == DType.FLOAT64 || t == DType.BOOL; }

    /** The PTX type suffix of the representation ({@code f32}, {@code f64}, {@code s64}). */
    static String ptxType(DType t) {
        return switch (regClass(t)) {
            case F32 -> "f32";
            case F64 -> "f64";
            default -> "s64";
        };
    }

    /** {@code value} rounded to {@code t} (as the interpreter rounds a constant) in a fresh register. */
    static Value constant(PtxBuilder b, double value, DType t) {
        Reg r = b.reg(regClass(t));
        switch (t) {
            case FLOAT32 -> b.op("mov.f32", r, (float) value);
            case BOOL -> b.op("mov.f32", r, value != 0 || Double.isNaN(value) ? 1.0f : 0.0f);
            case FLOAT64 -> b.op("mov.f64", r, value);
            case INT64 -> b.op("mov.b64", r, (long) value);
            case INT32 -> b.op("mov.b64", r, (long) (int) (long) value);
        }
        return new Value(r, t);
    }

    /** {@code value} rounded to {@code t} in double, as the kernel interpreter's {@code round}. */
    static double roundTo(DType t, double value) {
        return switch (t) {
            case FLOAT32 -> (float) value;
            case FLOAT64 -> value;
            case INT32 -> (int) (long) value;
            case INT64 -> (long) value;
            case BOOL -> value != 0 ? 1 : 0;
        };
    }

    /** The truth of {@code v} ({@code != 0}, NaN true) as a predicate. */
    static Reg truth(PtxBuilder b, Value v) {
        Reg p = b.pred();
        switch (regClass(v.dtype())) {
            case F32 -> b.op("setp.neu.f32", p, v.reg(), 0.0f);
            case F64 -> b.op("setp.neu.f64", p, v.reg(), 0.0);
            default -> b.op("setp.ne.s64", p, v.reg(), 0L);
        }
        return p;
    }

    /** A predicate as a {@code bool} value. */
    static Value fromPredicate(PtxBuilder b, Reg p) {
        Reg r = b.f32();
        b.op("selp.f32", r, 1.0f, 0.0f, p);
        return new Value(r, DType.BOOL);
    }

    /** {@code v} converted to {@code to}. */
    static Value convert(PtxBuilder b, Value v, DType to) {
        DType from = v.dtype();
        if (from == to) return v;
        if (to == DType.BOOL) return fromPredicate(b, truth(b, v));
        RegClass fc = regClass(from);
        Reg r = b.reg(regClass(to));
        switch (to) {
            case FLOAT32 -> {
                if (fc == RegClass.F32) return new Value(v.reg(), to); // bool 1.0/0.0 is already the f32 value
                b.op(fc == RegClass.F64 ? "cvt.rn.f32.f64" : "cvt.rn.f32.s64", r, v.reg());
            }
            case FLOAT64 -> b.op(fc == RegClass.F32 ? "cvt.f64.f32" : "cvt.rn.f64.s64", r, v.reg());
            case INT64, INT32 -> {
                if (fc == RegClass.F32) b.op("cvt.rzi.s64.f32", r, v.reg());
                else if (fc == RegClass.F64) b.op("cvt.rzi.s64.f64", r, v.reg());
                else b.op("mov.b64", r, v.reg());
                if (to == DType.INT32) {
                    Reg low = b.r32();
                    b.op("cvt.u32.u64", low, r);
                    b.op("cvt.s64.s32", r, low);
                }
            }
            default -> throw new IllegalStateException("unreachable: " + to);
        }
        return new Value(r, to);
    }

    /** Loads the element of type {@code t} at byte address {@code addr}. */
    static Value load(PtxBuilder b, DType t, Reg addr) {
        switch (t) {
            case FLOAT32, BOOL -> {
                return new Value(ElementAccess.load(b, t, addr), t);
            }
            case FLOAT64 -> {
                Reg r = b.reg(RegClass.F64);
                b.op("ld.global.nc.f64", r, PtxBuilder.addr(addr, 0));
                return new Value(r, t);
            }
            case INT64 -> {
                Reg r = b.r64();
                b.op("ld.global.nc.s64", r, PtxBuilder.addr(addr, 0));
                return new Value(r, t);
            }
            default -> {
                Reg w = b.r32();
                b.op("ld.global.nc.s32", w, PtxBuilder.addr(addr, 0));
                Reg r = b.r64();
                b.op("cvt.s64.s32", r, w);
                return new Value(r, t);
            }
        }
    }

    /** Stores {@code v} converted to {@code t} at byte address {@code addr}. */
    static void store(PtxBuilder b, DType t, Reg addr, Value v) {
        Value c = convert(b, v, t);
        switch (t) {
            case FLOAT32, BOOL -> ElementAccess.store(b, t, addr, c.reg());
            case FLOAT64 -> b.op("st.global.f64", PtxBuilder.addr(addr, 0), c.reg());
            case INT64 -> b.op("st.global.s64", PtxBuilder.addr(addr, 0), c.reg());
            case INT32 -> {
                Reg w = b.r32();
                b.op("cvt.u32.u64", w, c.reg());
                b.op("st.global.s32", PtxBuilder.addr(addr, 0), w);
            }
        }
    }
}
