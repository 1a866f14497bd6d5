package dev.kiln.codegen.ptx.alu;

import dev.kiln.codegen.ptx.asm.PtxBuilder;
import dev.kiln.codegen.ptx.asm.Reg;
import java.util.EnumMap;
import java.util.Map;

/**
 * The op-to-instruction table: one {@link ScalarLowering} per {@link ScalarOp}, in tinygrad's style.
 *
 * <p>Single instructions are written inline here; sequences (exp, log, tanh, erf, pow, sin/cos) live in
 * {@link MathSequences}. Choices that matter for agreement with the interpreter:
 * <ul>
 *   <li>{@code add/sub/mul} carry {@code .rn}, which forbids {@code ptxas} from contracting them into
 *       {@code fma}: the interpreter rounds after every op, and so do we.</li>
 *   <li>{@code div}, {@code sqrt} and {@code rcp} are the IEEE-rounded forms ({@code .rn}), not {@code .approx}.</li>
 *   <li>{@code max/min} use {@code .NaN} so a NaN operand propagates, as in PyTorch.</li>
 *   <li>Comparisons use {@code set.<cmp>.f32.f32}, which writes {@code 1.0f}/{@code 0.0f}; {@code ne} is the
 *       unordered {@code neu} because {@code NaN != x} is true.</li>
 * </ul>
 * Every op has an entry; {@link #lowering} throws naming the op otherwise (the table test checks completeness).
 */
public final class PtxAluTable {
    private static final Map<ScalarOp, ScalarLowering> TABLE = new EnumMap<>(ScalarOp.class);
    private static final Float ZERO = 0.0f;
    private static final Float ONE = 1.0f;

    static {
        binary(ScalarOp.ADD, "add.rn.f32");
        binary(ScalarOp.SUB, "sub.rn.f32");
        binary(ScalarOp.MUL, "mul.rn.f32");
        binary(ScalarOp.DIV, "div.rn.f32");
        binary(ScalarOp.MAX, "max.NaN.f32");
        binary(ScalarOp.MIN, "min.NaN.f32");
        binary(ScalarOp.LT, "set.lt.f32.f32");
        binary(ScalarOp.LE, "set.le.f32.f32");
        binary(ScalarOp.GT, "set.gt.f32.f32");
        binary(ScalarOp.GE, "set.ge.f32.f32");
        binary(ScalarOp.EQ, "set.eq.f32.f32");
        binary(ScalarOp.NE, "set.neu.f32.f32");
        unary(ScalarOp.NEG, "neg.f32");
        unary(ScalarOp.ABS, "abs.f32");
        unary(ScalarOp.SQRT, "sqrt.rn.f32");
        unary(ScalarOp.RECIP, "rcp.rn.f32");
        // not x == (x == 0); NaN is truthy, and NaN == 0 is false.
        TABLE.put(ScalarOp.NOT, (b, a) -> emit(b, "set.eq.f32.f32", a[0], ZERO));
        // relu(x) = max(x, 0), NaN stays NaN.
        TABLE.put(ScalarOp.RELU, (b, a) -> emit(b, "max.NaN.f32", a[0], ZERO));
        // rsqrt(x) = 1 / sqrt(x), two roundings like the interpreter.
        TABLE.put(ScalarOp.RSQRT, (b, a) -> emit(b, "rcp.rn.f32", emit(b, "sqrt.rn.f32", a[0])));
        TABLE.put(ScalarOp.AND, (b, a) -> logical(b, a, "and"));
        TABLE.put(ScalarOp.OR, (b, a) -> logical(b, a, "or"));
        TABLE.put(ScalarOp.WHERE, (b, a) -> {
            Reg p = b.pred();
            b.op("setp.neu.f32", p, a[0], ZERO);
            return emit(b, "selp.f32", a[1], a[2], p);
        });
        TABLE.put(ScalarOp.EXP, (b, a) -> MathSequences.exp(b, a[0]));
        TABLE.put(ScalarOp.LOG, (b, a) -> MathSequences.log(b, a[0]));
        TABLE.put(ScalarOp.TANH, (b, a) -> MathSequences.tanh(b, a[0]));
        TABLE.put(ScalarOp.ERF, (b, a) -> MathSequences.erf(b, a[0]));
        TABLE.put(ScalarOp.POW, (b, a) -> MathSequences.pow(b, a[0], a[1]));
        TABLE.put(ScalarOp.SIN, (b, a) -> MathSequences.sinCos(b, a[0], "sin.approx.f32"));
        TABLE.put(ScalarOp.COS, (b, a) -> MathSequences.sinCos(b, a[0], "cos.approx.f32"));
        // sigmoid(x) = 1 / (1 + exp(-x))
        TABLE.put(ScalarOp.SIGMOID, (b, a) -> {
            Reg e = MathSequences.exp(b, emit(b, "neg.f32", a[0]));
            return emit(b, "div.rn.f32", ONE, emit(b, "add.rn.f32", e, ONE));
        });
        // silu(x) = x / (1 + exp(-x))
        TABLE.put(ScalarOp.SILU, (b, a) -> {
            Reg e = MathSequences.exp(b, emit(b, "neg.f32", a[0]));
            return emit(b, "div.rn.f32", a[0], emit(b, "add.rn.f32", e, ONE));
        });
        // gelu(x) = x/2 * (1 + erf(x / sqrt 2))
        TABLE.put(ScalarOp.GELU, (b, a) -> {
            Reg e = MathSequences.erf(b, emit(b, "mul.rn.f32", a[0], (float) (1 / Math.sqrt(2))));
            return emit(b, "mul.rn.f32", emit(b, "mul.rn.f32", a[0], 0.5f), emit(b, "add.rn.f32", e, ONE));
        });
        // gelu_tanh(x) = x/2 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3)))
        TABLE.put(ScalarOp.GELU_TANH, (b, a) -> {
            Reg x = a[0];
            Reg x3 = emit(b, "mul.rn.f32", emit(b, "mul.rn.f32", x, x), x);
            Reg inner = emit(b, "add.rn.f32", x, emit(b, "mul.rn.f32", x3, 0.044715f));
            Reg t = MathSequences.tanh(b, emit(b, "mul.rn.f32", inner, (float) Math.sqrt(2 / Math.PI)));
            return emit(b, "mul.rn.f32", emit(b, "mul.rn.f32", x, 0.5f), emit(b, "add.rn.f32", t, ONE));
        });
    }

    private PtxAluTable() {}

    /** The lowering of {@code op}; throws naming the op when the table has none. */
    public static ScalarLowering lowering(ScalarOp op) {
        ScalarLowering l = TABLE.get(op);
        if (l == null) throw new IllegalArgumentException("PTX ALU table: no lowering for scalar op " + op);
        return l;
    }

    /** Emits {@code op} on the argument registers (checking the arity) and returns the result register. */
    public static Reg emit(PtxBuilder b, ScalarOp op, Reg... args) {
        if (args.length != op.arity()) {
            throw new IllegalArgumentException("scalar op " + op + ": expected " + op.arity() + " operands, found " + args.length);
        }
        return lowering(op).emit(b, args);
    }

    /** Whether the table covers {@code op} (for the completeness test). */
    public static boolean covers(ScalarOp op) { return TABLE.containsKey(op); }

    /** {@code opcode d, operands...} into a fresh f32 register d. */
    static Reg emit(PtxBuilder b, String opcode, Object... operands) {
        Reg d = b.f32();
        Object[] all = new Object[operands.length + 1];
        all[0] = d;
        System.arraycopy(operands, 0, all, 1, operands.length);
        b.op(opcode, all);
        return d;
    }

    private static void binary(ScalarOp op, String opcode) {
        TABLE.put(op, (b, a) -> emit(b, opcode, a[0], a[1]));
    }

    private static void unary(ScalarOp op, String opcode) {
        TABLE.put(op, (b, a) -> emit(b, opcode, a[0]));
    }

    // a && b, a || b on truthiness (!= 0, NaN true): setp with a predicate combine, then select 1/0.
    private static Reg logical(PtxBuilder b, Reg[] a, String combine) {
        Reg p = b.pred();
        Reg q = b.pred();
        b.op("setp.neu.f32", p, a[0], ZERO);
        b.op("setp.neu." + combine + ".f32", q, a[1], ZERO, p);
        return emit(b, "selp.f32", ONE, ZERO, q);
    }
}
