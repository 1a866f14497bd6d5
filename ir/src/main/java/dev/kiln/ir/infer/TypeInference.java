package dev.kiln.ir.infer;

import dev.kiln.ir.Attrs;
import dev.kiln.ir.Op;
import dev.kiln.ir.OpSchema;
import dev.kiln.ir.TensorParam;
import dev.kiln.ir.sym.SymExpr;
import dev.kiln.ir.type.SymIntType;
import dev.kiln.ir.type.TensorType;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The registry of shape and dtype rules: one {@link TypeRule} per {@link Op}, filled by one {@code register}
 * method per op family. A test checks that it covers the whole catalogue.
 *
 * <p>{@link #infer} checks the inputs' arity against the op's schema before running the rule, so rules can index
 * their inputs directly, then checks the number of results against the schema's output count.
 */
public final class TypeInference {
    private static final Map<Op, TypeRule> RULES;

    static {
        EnumMap<Op, TypeRule> t = new EnumMap<>(Op.class);
        ElementwiseRules.register(t);
        ReductionRules.register(t);
        LinalgRules.register(t);
        NnRules.register(t);
        ShapeOpRules.register(t);
        FactoryRules.register(t);
        RULES = Collections.unmodifiableMap(t);
    }

    private TypeInference() {}

    /** Every op that has a rule (for the coverage test). */
    public static Map<Op, TypeRule> table() { return RULES; }

    /** The output types of {@code op} applied to {@code inputs} (null: absent optional input) with {@code attrs}. */
    public static List<TensorType> infer(Op op, List<TensorType> inputs, Attrs attrs) {
        if (attrs.op() != op) {
            throw new TypeInferenceException(op + ": attributes belong to " + attrs.op());
        }
        checkArity(op, inputs);
        TypeRule rule = RULES.get(op);
        if (rule == null) throw new TypeInferenceException(op + ": no shape/dtype rule is registered");
        List<TensorType> out = rule.infer(inputs, attrs);
        int expected = op.schema().outputs();
        if (expected != OpSchema.VARIABLE_OUTPUTS && out.size() != expected) {
            throw new IllegalStateException(op + ": rule produced " + out.size() + " outputs, schema says "
                    + expected);
        }
        return out;
    }

    /** Checks {@code inputs} against the schema: count, absent only where optional, variadic list non-empty. */
    public static void checkArity(Op op, List<TensorType> inputs) {
        List<TensorParam> params = op.schema().inputs();
        int fixed = op.schema().isVariadic() ? params.size() - 1 : params.size();
        boolean ok = op.schema().isVariadic() ? inputs.size() >= fixed + 1 : inputs.size() == fixed;
        if (!ok) {
            throw new TypeInferenceException(op + ": expected " + (op.schema().isVariadic() ? "at least " + (fixed + 1)
                    : String.valueOf(fixed)) + " tensor input(s) " + paramNames(params) + ", found " + inputs.size());
        }
        for (int i = 0; i < inputs.size(); i++) {
            TensorParam p = params.get(Math.min(i, params.size() - 1));
            if (inputs.get(i) == null && !p.optional()) {
                throw new TypeInferenceException(op + ": argument '" + p.name() + "' expected a tensor, found None");
            }
        }
    }

    /** The type of {@code aten::size(x, dim)}: the size as a symbolic integer. */
    public static SymIntType size(TensorType x, long dim) {
        if (x.rank() == 0) {
            throw new TypeInferenceException("aten::size: argument 'self' expected a tensor with at least 1 dim, "
                    + "found " + x);
        }
        if (dim < -x.rank() || dim >= x.rank()) {
            throw new TypeInferenceException("aten::size: argument 'dim' expected a dim in [" + -x.rank() + ", "
                    + (x.rank() - 1) + "], found " + dim);
        }
        SymExpr s = x.shape().dim((int) (dim < 0 ? dim + x.rank() : dim));
        return new SymIntType(s);
    }

    private static String paramNames(List<TensorParam> params) {
        StringBuilder sb = new StringBuilder("(");
        for (TensorParam p : params) {
            if (sb.length() > 1) sb.append(", ");
            sb.append(p.name()).append(p.optional() ? "?" : "").append(p.variadic() ? "[]" : "");
        }
        return sb.append(')').toString();
    }
}
