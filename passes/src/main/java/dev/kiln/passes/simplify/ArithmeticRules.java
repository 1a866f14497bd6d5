package dev.kiln.passes.simplify;

import static dev.kiln.passes.simplify.Match.call;
import static dev.kiln.passes.simplify.Match.isDefaultAlpha;
import static dev.kiln.passes.simplify.Match.isFloat;
import static dev.kiln.passes.simplify.Match.producedBy;
import static dev.kiln.passes.simplify.Match.sameType;

import dev.kiln.ir.DType;
import dev.kiln.ir.Op;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.TensorData;
import dev.kiln.ir.graph.Value;
import dev.kiln.passes.util.Consts;
import java.util.List;

/**
 * Arithmetic identities that hold bit for bit under IEEE 754 and two's complement. Each applies only when the
 * result has exactly the type of the value it is replaced by ({@link Match#sameType}: no broadcasting to a larger
 * shape, no promotion). Deliberately absent, because NaN, infinities and signed zero make them wrong for floats:
 * {@code x * 0 => 0} (NaN*0 is NaN, -1*0 is -0), {@code x - x => 0} (inf-inf is NaN), and {@code x + 0.0 => x}
 * ({@code -0.0 + 0.0} is {@code +0.0}); only {@code x + (-0.0)} and {@code x - (+0.0)} are exact.
 */
public final class ArithmeticRules {
    private ArithmeticRules() {}

    public static List<Rule> all() {
        return List.of(
                // x * 1 => x, 1 * x => x   (exact for every float, including NaN, inf and -0)
                Rule.of("mul-one", "x * 1 => x", n -> eitherSide(n, 1.0), Op.MUL),
                // x / 1 => x   (true division only: floor(x / 1) is not x for floats)
                Rule.of("div-one", "x / 1 => x (no rounding mode)", n -> call(n).attrs().getOrNull("rounding_mode") == null
                        && Consts.allEqual(n.input(1), 1.0) && sameType(n, n.input(0)) ? n.input(0) : null, Op.DIV),
                // x ** 1 => x
                Rule.of("pow-one", "x ** 1 => x", n -> Consts.allEqual(n.input(1), 1.0) && sameType(n, n.input(0))
                        ? n.input(0) : null, Op.POW),
                // x + (-0.0) => x for floats; x + 0 => x for integers   (x + (+0.0) turns -0.0 into +0.0)
                Rule.of("add-zero", "x + 0 => x (ints); x + (-0.0) => x (floats); alpha = 1",
                        n -> isDefaultAlpha(n) ? addZero(n) : null, Op.ADD),
                // x - (+0.0) => x for floats, x - 0 => x for integers   (x - (-0.0) is x + 0.0, not exact)
                Rule.of("sub-zero", "x - 0 => x (ints); x - (+0.0) => x (floats); alpha = 1",
                        n -> isDefaultAlpha(n) && isZero(n.input(1), isFloat(n.output()) ? 0.0 : Double.NaN, true)
                                && sameType(n, n.input(0)) ? n.input(0) : null, Op.SUB),
                // -(-x) => x
                Rule.of("neg-neg", "-(-x) => x", n -> inner(n, Op.NEG), Op.NEG),
                // !(!x) => x
                Rule.of("not-not", "!(!x) => x (bool)", n -> inner(n, Op.LOGICAL_NOT), Op.LOGICAL_NOT),
                // relu(relu(x)) => relu(x)
                Rule.of("relu-idempotent", "relu(relu(x)) => relu(x)", n -> producedBy(n.input(0), Op.RELU) != null
                        ? n.input(0) : null, Op.RELU),
                // |(|x|)| => |x|
                Rule.of("abs-idempotent", "abs(abs(x)) => abs(x)", n -> producedBy(n.input(0), Op.ABS) != null
                        ? n.input(0) : null, Op.ABS),
                // to(x, dtype(x)) => x   (the IR is functional, so the copy is unobservable)
                Rule.of("to-same-dtype", "x.to(dtype(x)) => x", n -> sameType(n, n.input(0)) ? n.input(0) : null,
                        Op.TO_DTYPE),
                // clone(x) => x
                Rule.of("clone", "clone(x) => x", n -> sameType(n, n.input(0)) ? n.input(0) : null, Op.CLONE));
    }

    private static Value eitherSide(Node n, double identity) {
        if (Consts.allEqual(n.input(1), identity) && sameType(n, n.input(0))) return n.input(0);
        if (Consts.allEqual(n.input(0), identity) && sameType(n, n.input(1))) return n.input(1);
        return null;
    }

    private static Value addZero(Node n) {
        boolean f = isFloat(n.output());
        if (isZero(n.input(1), f ? -0.0 : Double.NaN, false) && sameType(n, n.input(0))) return n.input(0);
        if (isZero(n.input(0), f ? -0.0 : Double.NaN, false) && sameType(n, n.input(1))) return n.input(1);
        return null;
    }

    /**
     * Whether {@code v} is a constant zero that is an identity here. For a float result ({@code floatZero} not NaN)
     * every element must be a float with exactly the bits of {@code floatZero}, or, when {@code intZeroIsPositive},
     * an integer 0 (which converts to +0.0). For an integer result any integer 0 will do.
     */
    private static boolean isZero(Value v, double floatZero, boolean intZeroIsPositive) {
        TensorData d = Consts.of(v);
        if (d == null || d.numel() == 0 || d.dtype() == DType.BOOL) return false;
        boolean floatResult = !Double.isNaN(floatZero);
        if (!floatResult) return !d.dtype().isFloatingPoint() && Consts.allZeroAnySign(v);
        if (!d.dtype().isFloatingPoint()) return intZeroIsPositive && Consts.allZeroAnySign(v);
        return Consts.allEqual(v, floatZero);
    }

    /** For {@code f(f(x)) => x}: the innermost value when the input is {@code op} of something of the same type. */
    private static Value inner(Node n, Op op) {
        Node p = producedBy(n.input(0), op);
        return p != null && sameType(n, p.input(0)) ? p.input(0) : null;
    }
}
