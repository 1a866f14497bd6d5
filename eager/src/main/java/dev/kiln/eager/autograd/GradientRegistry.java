package dev.kiln.eager.autograd;

import dev.kiln.eager.KilnException;
import dev.kiln.ir.Op;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * The table of backward rules, one {@link GradientFormula} per differentiable {@link Op}, and the list of ops
 * that have none with the reason why. A test checks that every op of the catalogue is in exactly one of the two.
 *
 * <p>Each family registers its rules in one place ({@code ElementwiseGradients}, {@code ReductionGradients},
 * {@code LinalgGradients}, {@code NnGradients}, {@code ShapeGradients}), as the kernel table does.
 */
public final class GradientRegistry {
    private static final Map<Op, GradientFormula> FORMULAS;
    private static final Map<Op, String> NOT_DIFFERENTIABLE;

    static {
        EnumMap<Op, GradientFormula> table = new EnumMap<>(Op.class);
        ElementwiseGradients.register(table);
        ReductionGradients.register(table);
        LinalgGradients.register(table);
        NnGradients.register(table);
        ShapeGradients.register(table);
        FORMULAS = Collections.unmodifiableMap(table);

        EnumMap<Op, String> none = new EnumMap<>(Op.class);
        String predicate = "a boolean result (piecewise constant, no gradient)";
        for (Op op : new Op[] {Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE, Op.LOGICAL_AND, Op.LOGICAL_OR,
                Op.LOGICAL_NOT}) {
            none.put(op, predicate);
        }
        none.put(Op.ARGMAX, "an integer index result");
        none.put(Op.ARGMIN, "an integer index result");
        for (Op op : new Op[] {Op.ZEROS, Op.ONES, Op.FULL, Op.ARANGE, Op.RAND, Op.RANDN}) {
            none.put(op, "a factory: no tensor inputs");
        }
        NOT_DIFFERENTIABLE = Collections.unmodifiableMap(none);
    }

    private GradientRegistry() {}

    /** Whether results of {@code op} can require grad; throws for an op that is in neither table. */
    public static boolean isDifferentiable(Op op) {
        if (FORMULAS.containsKey(op)) return true;
        if (NOT_DIFFERENTIABLE.containsKey(op)) return false;
        throw new KilnException(op + ": no gradient formula is registered and the op is not listed as "
                + "non-differentiable");
    }

    /** The backward rule of {@code op}; throws naming the op when there is none. */
    public static GradientFormula formula(Op op) {
        GradientFormula f = FORMULAS.get(op);
        if (f == null) throw new KilnException(op + ": no gradient formula (" + whyNot(op) + ")");
        return f;
    }

    /** Every op with a backward rule. */
    public static Map<Op, GradientFormula> table() { return FORMULAS; }

    /** The ops without one, each with the reason. */
    public static Map<Op, String> notDifferentiable() { return NOT_DIFFERENTIABLE; }

    private static String whyNot(Op op) {
        String reason = NOT_DIFFERENTIABLE.get(op);
        return reason == null ? "not registered" : "not differentiable: " + reason;
    }

    /** Registers {@code formula} for {@code op}, refusing a second registration of the same op. */
    static void put(Map<Op, GradientFormula> table, Op op, GradientFormula formula) {
        if (table.put(op, formula) != null) throw new IllegalStateException("two gradient formulas for " + op);
    }
}
