package dev.kiln.ir.infer;

import static dev.kiln.ir.infer.Args.error;
import static dev.kiln.ir.infer.Args.one;

import dev.kiln.ir.Attrs;
import dev.kiln.ir.DType;
import dev.kiln.ir.Op;
import dev.kiln.ir.sym.SymExpr;
import dev.kiln.ir.type.Shape;
import dev.kiln.ir.type.TensorType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Rules of the reductions and softmaxes: reduced dims dropped (or kept as 1), PyTorch's accumulation dtypes. */
final class ReductionRules {
    private ReductionRules() {}

    static void register(Map<Op, TypeRule> t) {
        t.put(Op.SUM, (in, a) -> {
            TensorType x = in.get(0);
            DType d = a.has("dtype") ? a.getDType("dtype")
                    : x.dtype().isFloatingPoint() ? x.dtype() : DType.INT64; // ints and bools sum in int64
            return one(TensorType.of(d, reduce(Op.SUM, x.shape(), a.getInts("dim"), a.getBool("keepdim"))));
        });
        t.put(Op.MEAN, (in, a) -> {
            TensorType x = in.get(0);
            DType d = a.has("dtype") ? a.getDType("dtype") : x.dtype();
            if (!d.isFloatingPoint()) {
                throw error(Op.MEAN, a.has("dtype") ? "dtype" : "self", "a floating-point dtype (mean cannot "
                        + "infer an integral output dtype)", d.irName());
            }
            return one(TensorType.of(d, reduce(Op.MEAN, x.shape(), a.getInts("dim"), a.getBool("keepdim"))));
        });
        t.put(Op.MAX, (in, a) -> one(TensorType.of(in.get(0).dtype(), Shape.SCALAR)));
        t.put(Op.MIN, (in, a) -> one(TensorType.of(in.get(0).dtype(), Shape.SCALAR)));
        t.put(Op.MAX_DIM, (in, a) -> valuesAndIndices(Op.MAX_DIM, in.get(0), a));
        t.put(Op.MIN_DIM, (in, a) -> valuesAndIndices(Op.MIN_DIM, in.get(0), a));
        t.put(Op.ARGMAX, (in, a) -> one(TensorType.of(DType.INT64, argShape(Op.ARGMAX, in.get(0), a))));
        t.put(Op.ARGMIN, (in, a) -> one(TensorType.of(DType.INT64, argShape(Op.ARGMIN, in.get(0), a))));
        t.put(Op.SOFTMAX, (in, a) -> softmax(Op.SOFTMAX, in.get(0), a));
        t.put(Op.LOG_SOFTMAX, (in, a) -> softmax(Op.LOG_SOFTMAX, in.get(0), a));
    }

    /** {@code dims} empty means every dim; duplicates are an error, as in ATen's {@code dim_list_to_bitset}. */
    static Shape reduce(Op op, Shape s, long[] dims, boolean keepdim) {
        boolean[] reduced = new boolean[s.rank()];
        if (dims.length == 0) Arrays.fill(reduced, true);
        for (long dim : dims) {
            int d = Args.wrapDim(op, "dim", dim, s.rank());
            if (s.rank() == 0) continue;
            if (reduced[d]) throw error(op, "dim", "each dim at most once", Arrays.toString(dims));
            reduced[d] = true;
        }
        List<SymExpr> out = new ArrayList<>();
        for (int i = 0; i < s.rank(); i++) {
            if (!reduced[i]) out.add(s.dim(i));
            else if (keepdim) out.add(SymExpr.of(1));
        }
        return Shape.of(out);
    }

    private static List<TensorType> valuesAndIndices(Op op, TensorType x, Attrs a) {
        Shape s = reduce(op, x.shape(), new long[] {a.getInt("dim")}, a.getBool("keepdim"));
        return List.of(TensorType.of(x.dtype(), s), TensorType.of(DType.INT64, s));
    }

    /** {@code dim} absent: the index into the flattened tensor, a 0-d result. */
    private static Shape argShape(Op op, TensorType x, Attrs a) {
        Args.requireNotBool(op, "self", x);
        if (!a.has("dim")) return Shape.SCALAR;
        return reduce(op, x.shape(), new long[] {a.getInt("dim")}, a.getBool("keepdim"));
    }

    private static List<TensorType> softmax(Op op, TensorType x, Attrs a) {
        Args.wrapDim(op, "dim", a.getInt("dim"), x.rank());
        DType d = a.has("dtype") ? a.getDType("dtype") : x.dtype();
        if (!d.isFloatingPoint()) {
            throw error(op, a.has("dtype") ? "dtype" : "self", "a floating-point dtype", d.irName());
        }
        return one(TensorType.of(d, x.shape()));
    }
}
