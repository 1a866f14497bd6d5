package dev.kiln.codegen.ptx.alu;

import static dev.kiln.codegen.ptx.alu.PtxAluTable.emit;

import dev.kiln.codegen.ptx.asm.PtxBuilder;
import dev.kiln.codegen.ptx.asm.Reg;

/**
 * Multi-instruction {@code f32} math: the ops PTX has no correctly rounded instruction for.
 *
 * <p>Accuracy (the reason for each range reduction): {@code ex2.approx}, {@code lg2.approx},
 * {@code sin/cos.approx} are accurate to about 2 ulp only on a reduced range, so {@link #exp} and
 * {@link #sinCos} reduce the argument first (Cody–Waite, with the constant split into a high part exact in
 * {@code f32} and a low correction). Results are within a few ulp of the correctly rounded value, except
 * {@link #erf} (absolute error below 2e-7, Abramowitz–Stegun 7.1.26), {@link #log} near 1 (absolute error about
 * 2^-22) and {@link #pow} (relative error about {@code |y log2 x|} times 2^-22). The interpreter comparison on
 * a GPU uses the conformance tolerances, which these bounds sit well inside.
 */
final class MathSequences {
    private static final float LOG2E = (float) (1 / Math.log(2));
    private static final float LN2 = (float) Math.log(2);
    private static final float LN2_HI = Float.intBitsToFloat(0x3F317200); // 0.693145751953125, 16 significant bits
    private static final float LN2_LO = Float.intBitsToFloat(0x35BFBE8E); // ln 2 - LN2_HI
    private static final float TWO_PI_HI = (float) (2 * Math.PI);
    private static final float TWO_PI_LO = (float) (2 * Math.PI - (double) (float) (2 * Math.PI));
    private static final float INV_TWO_PI = (float) (1 / (2 * Math.PI));

    private MathSequences() {}

    /**
     * e^x = 2^n * 2^(r log2 e) with n = rint(x log2 e) clamped to [-152, 129] and r = x - n ln 2. The clamp keeps
     * the scale's exponent field valid; out-of-range x still overflows to inf or underflows to 0 through r.
     * 2^n is applied as two normal factors 2^(n>>1) * 2^(n - (n>>1)) built from exponent bits.
     */
    static Reg exp(PtxBuilder b, Reg x) {
        Reg n = emit(b, "cvt.rni.f32.f32", emit(b, "mul.rn.f32", x, LOG2E));
        n = emit(b, "min.f32", emit(b, "max.f32", n, -152.0f), 129.0f);
        Reg r = emit(b, "fma.rn.f32", n, -LN2_HI, x);
        r = emit(b, "fma.rn.f32", n, -LN2_LO, r);
        Reg p = emit(b, "ex2.approx.f32", emit(b, "mul.rn.f32", r, LOG2E));
        Reg ni = b.r32();
        b.op("cvt.rzi.s32.f32", ni, n);
        Reg n1 = b.r32();
        b.op("shr.s32", n1, ni, 1);
        Reg n2 = b.r32();
        b.op("sub.s32", n2, ni, n1);
        return emit(b, "mul.rn.f32", emit(b, "mul.rn.f32", p, powerOfTwo(b, n1)), powerOfTwo(b, n2));
    }

    /** log x = log2(x) * ln 2; {@code lg2.approx} (not ftz) handles 0, negatives, inf, NaN and subnormals. */
    static Reg log(PtxBuilder b, Reg x) {
        return emit(b, "mul.rn.f32", emit(b, "lg2.approx.f32", x), LN2);
    }

    /**
     * tanh x = sign(x) (1 - 2 / (e^(2|x|) + 1)) for |x| >= 0.125, where the subtraction loses at most a few ulp of the
     * result; below that an odd Taylor polynomial to x^7 (truncation error under 2e-10 relative).
     */
    static Reg tanh(PtxBuilder b, Reg x) {
        Reg ax = emit(b, "abs.f32", x);
        Reg e = exp(b, emit(b, "add.rn.f32", ax, ax));
        Reg big = emit(b, "sub.rn.f32", 1.0f, emit(b, "div.rn.f32", 2.0f, emit(b, "add.rn.f32", e, 1.0f)));
        Reg x2 = emit(b, "mul.rn.f32", ax, ax);
        Reg poly = emit(b, "fma.rn.f32", x2, (float) (-17.0 / 315), (float) (2.0 / 15));
        poly = emit(b, "fma.rn.f32", x2, poly, (float) (-1.0 / 3));
        poly = emit(b, "fma.rn.f32", x2, poly, 1.0f);
        poly = emit(b, "mul.rn.f32", poly, ax);
        Reg small = b.pred();
        b.op("setp.lt.f32", small, ax, 0.125f);
        Reg mag = emit(b, "selp.f32", poly, big, small);
        return emit(b, "copysign.f32", x, mag);
    }

    /** erf x = sign(x) (1 - t(a1 + t(a2 + t(a3 + t(a4 + t a5)))) e^(-x^2)), t = 1 / (1 + p|x|) (A&S 7.1.26). */
    static Reg erf(PtxBuilder b, Reg x) {
        Reg ax = emit(b, "abs.f32", x);
        Reg t = emit(b, "div.rn.f32", 1.0f, emit(b, "fma.rn.f32", ax, 0.3275911f, 1.0f));
        Reg poly = emit(b, "fma.rn.f32", t, 1.061405429f, -1.453152027f);
        poly = emit(b, "fma.rn.f32", t, poly, 1.421413741f);
        poly = emit(b, "fma.rn.f32", t, poly, -0.284496736f);
        poly = emit(b, "fma.rn.f32", t, poly, 0.254829592f);
        poly = emit(b, "mul.rn.f32", poly, t);
        Reg e = exp(b, emit(b, "neg.f32", emit(b, "mul.rn.f32", ax, ax)));
        Reg mag = emit(b, "sub.rn.f32", 1.0f, emit(b, "mul.rn.f32", poly, e));
        return emit(b, "copysign.f32", x, mag);
    }

    /**
     * x^y = 2^(y log2|x|), then PyTorch's special cases: a negative base gives a negative result for odd integer y
     * and NaN for non-integer y; y == 0 gives 1 (NaN base included).
     */
    static Reg pow(PtxBuilder b, Reg x, Reg y) {
        Reg r = emit(b, "ex2.approx.f32", emit(b, "mul.rn.f32", y, emit(b, "lg2.approx.f32", emit(b, "abs.f32", x))));
        Reg isInt = b.pred();
        b.op("setp.eq.f32", isInt, emit(b, "cvt.rzi.f32.f32", y), y);
        Reg half = emit(b, "mul.rn.f32", y, 0.5f);
        Reg odd = b.pred();
        b.op("setp.neu.and.f32", odd, emit(b, "cvt.rzi.f32.f32", half), half, isInt);
        Reg negOdd = b.pred();
        b.op("setp.lt.and.f32", negOdd, x, 0.0f, odd);
        r = emit(b, "selp.f32", emit(b, "neg.f32", r), r, negOdd);
        Reg negFrac = b.pred();
        b.op("setp.lt.and.f32", negFrac, x, 0.0f, "!" + isInt);
        r = emit(b, "selp.f32", Float.NaN, r, negFrac);
        Reg yZero = b.pred();
        b.op("setp.eq.f32", yZero, y, 0.0f);
        return emit(b, "selp.f32", 1.0f, r, yZero);
    }

    /** sin or cos after reducing x by the nearest multiple of 2 pi, where the {@code .approx} forms are accurate. */
    static Reg sinCos(PtxBuilder b, Reg x, String opcode) {
        Reg k = emit(b, "cvt.rni.f32.f32", emit(b, "mul.rn.f32", x, INV_TWO_PI));
        Reg r = emit(b, "fma.rn.f32", k, -TWO_PI_HI, x);
        r = emit(b, "fma.rn.f32", k, -TWO_PI_LO, r);
        return emit(b, opcode, r);
    }

    // 2^e for e in [-126, 127] from exponent bits.
    private static Reg powerOfTwo(PtxBuilder b, Reg e) {
        Reg biased = b.r32();
        b.op("add.s32", biased, e, 127);
        Reg bits = b.r32();
        b.op("shl.b32", bits, biased, 23);
        Reg f = b.f32();
        b.op("mov.b32", f, bits);
        return f;
    }
}
