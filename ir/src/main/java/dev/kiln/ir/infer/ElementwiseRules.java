package dev.kiln.ir.infer;

import static dev.kiln.ir.infer.Args.error;
import static dev.kiln.ir.infer.Args.one;

import dev.kiln.ir.Attrs;
import dev.kiln.ir.DType;
import dev.kiln.ir.Op;
import dev.kiln.ir.type.Shape;
import dev.kiln.ir.type.TensorType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Rules of the elementwise ops: broadcast shapes, PyTorch dtype promotion (wrapped numbers included). */
final class ElementwiseRules {
    private ElementwiseRules() {}

    private static final Set<Op> BINARY = Set.of(Op.ADD, Op.SUB, Op.MUL, Op.POW, Op.MAXIMUM, Op.MINIMUM);
    private static final Set<Op> COMPARE = Set.of(Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE, Op.LOGICAL_AND,
            Op.LOGICAL_OR);
    /** Same dtype out as in; bool is rejected (ATen has no bool kernel for them). */
    private static final Set<Op> UNARY_NUMERIC = Set.of(Op.ABS, Op.NEG, Op.RELU, Op.HARDTANH);
    /** Integral and bool inputs compute in the default float dtype ("unary float" ops). */
    private static final Set<Op> UNARY_FLOAT = Set.of(Op.EXP, Op.LOG, Op.SQRT, Op.RSQRT, Op.SIN, Op.COS,
            Op.RECIPROCAL, Op.SIGMOID, Op.TANH);
    /** Activations whose ATen kernels exist for floating dtypes only. */
    private static final Set<Op> FLOAT_ONLY = Set.of(Op.GELU, Op.SILU, Op.ELU, Op.LEAKY_RELU, Op.SOFTPLUS);

    static void register(Map<Op, TypeRule> t) {
        for (Op op : BINARY) t.put(op, (in, a) -> binary(op, in));
        for (Op op : COMPARE) t.put(op, (in, a) -> one(TensorType.of(DType.BOOL, broadcast(op, in))));
        for (Op op : UNARY_NUMERIC) t.put(op, (in, a) -> {
            Args.requireNotBool(op, "self", in.get(0));
            return one(TensorType.of(in.get(0).dtype(), in.get(0).shape()));
        });
        for (Op op : UNARY_FLOAT) t.put(op, (in, a) -> {
            TensorType x = in.get(0);
            return one(TensorType.of(x.dtype().isFloatingPoint() ? x.dtype() : DType.DEFAULT_FLOAT, x.shape()));
        });
        for (Op op : FLOAT_ONLY) t.put(op, (in, a) -> {
            Args.requireFloating(op, "self", in.get(0));
            if (op == Op.GELU) requireOneOf(op, a, "approximate", "none", "tanh");
            return one(TensorType.of(in.get(0).dtype(), in.get(0).shape()));
        });
        t.put(Op.DIV, ElementwiseRules::div);
        t.put(Op.WHERE, (in, a) -> {
            Args.requireDType(Op.WHERE, "condition", in.get(0), DType.BOOL);
            DType d = Promotion.resultType(in.subList(1, 3));
            return one(TensorType.of(d, broadcast(Op.WHERE, in)));
        });
        t.put(Op.MASKED_FILL, (in, a) -> {
            Args.requireDType(Op.MASKED_FILL, "mask", in.get(1), DType.BOOL);
            if (in.get(2).rank() != 0) throw error(Op.MASKED_FILL, "value", "a 0-d tensor", in.get(2));
            Shape s = Broadcast.shapes(Op.MASKED_FILL, "self", in.get(0).shape(), "mask", in.get(1).shape());
            return one(TensorType.of(in.get(0).dtype(), s));
        });
        t.put(Op.LOGICAL_NOT, (in, a) -> one(TensorType.of(DType.BOOL, in.get(0).shape())));
        t.put(Op.CLAMP, ElementwiseRules::clamp);
        t.put(Op.TO_DTYPE, (in, a) -> one(TensorType.of(a.getDType("dtype"), in.get(0).shape())));
        t.put(Op.CLONE, (in, a) -> one(TensorType.of(in.get(0).dtype(), in.get(0).shape())));
    }

    private static Shape broadcast(Op op, List<TensorType> in) {
        List<String> names = new ArrayList<>();
        List<Shape> shapes = new ArrayList<>();
        for (int i = 0; i < in.size(); i++) {
            names.add(op.schema().inputs().get(i).name());
            shapes.add(in.get(i).shape());
        }
        return Broadcast.shapes(op, names, shapes);
    }

    private static List<TensorType> binary(Op op, List<TensorType> in) {
        DType d = Promotion.resultType(in);
        if (op == Op.SUB && d == DType.BOOL) {
            throw error(op, "other", "a numeric operand (subtracting bool tensors is not supported; use "
                    + "logical_xor)", in.get(1));
        }
        return one(TensorType.of(d, broadcast(op, in)));
    }

    /** True division computes integers in the default float dtype; with a rounding mode the result type stays. */
    private static List<TensorType> div(List<TensorType> in, Attrs a) {
        DType d = Promotion.resultType(in);
        if (a.has("rounding_mode")) requireOneOf(Op.DIV, a, "rounding_mode", "trunc", "floor");
        else if (!d.isFloatingPoint()) d = DType.DEFAULT_FLOAT;
        return one(TensorType.of(d, broadcast(Op.DIV, in)));
    }

    /** {@code clamp(self, min, max)}: the Scalar bounds take part in promotion as wrapped numbers. */
    private static List<TensorType> clamp(List<TensorType> in, Attrs a) {
        Args.requireNotBool(Op.CLAMP, "self", in.get(0));
        if (!a.has("min") && !a.has("max")) {
            throw error(Op.CLAMP, "min", "at least one of 'min' and 'max'", "neither");
        }
        List<TensorType> ops = new ArrayList<>(List.of(in.get(0)));
        for (String bound : List.of("min", "max")) {
            if (a.has(bound)) ops.add(Promotion.wrappedScalar(a.getScalar(bound)));
        }
        return one(TensorType.of(Promotion.resultType(ops), in.get(0).shape()));
    }

    static void requireOneOf(Op op, Attrs a, String attr, String... allowed) {
        String v = a.getString(attr);
        if (!Arrays.asList(allowed).contains(v)) {
            throw error(op, attr, "one of " + String.join(", ", allowed), '"' + v + '"');
        }
    }
}
