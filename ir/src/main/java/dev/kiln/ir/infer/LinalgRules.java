package dev.kiln.ir.infer;

import static dev.kiln.ir.infer.Args.error;
import static dev.kiln.ir.infer.Args.one;

import dev.kiln.ir.DType;
import dev.kiln.ir.Op;
import dev.kiln.ir.sym.SymExpr;
import dev.kiln.ir.type.Shape;
import dev.kiln.ir.type.TensorType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Rules of the matrix products. They do not promote: both operands must have the same numeric dtype, as ATen's
 * GEMM requires. Contraction sizes must be equal expressions.
 */
final class LinalgRules {
    private LinalgRules() {}

    static void register(Map<Op, TypeRule> t) {
        t.put(Op.MATMUL, (in, a) -> one(matmul(in.get(0), in.get(1))));
        t.put(Op.MM, (in, a) -> {
            TensorType x = in.get(0), w = in.get(1);
            Args.requireRank(Op.MM, "self", x, 2);
            Args.requireRank(Op.MM, "mat2", w, 2);
            DType d = sameDType(Op.MM, x, "mat2", w);
            Args.requireSameSize(Op.MM, "mat2", "size at dim 0 equal to self's dim 1:", x.shape().dim(1),
                    w.shape().dim(0));
            return one(TensorType.of(d, Shape.of(List.of(x.shape().dim(0), w.shape().dim(1)))));
        });
        t.put(Op.BMM, (in, a) -> {
            TensorType x = in.get(0), w = in.get(1);
            Args.requireRank(Op.BMM, "self", x, 3);
            Args.requireRank(Op.BMM, "mat2", w, 3);
            DType d = sameDType(Op.BMM, x, "mat2", w);
            Args.requireSameSize(Op.BMM, "mat2", "batch size", x.shape().dim(0), w.shape().dim(0));
            Args.requireSameSize(Op.BMM, "mat2", "size at dim 1 equal to self's dim 2:", x.shape().dim(2),
                    w.shape().dim(1));
            return one(TensorType.of(d, Shape.of(List.of(x.shape().dim(0), x.shape().dim(1), w.shape().dim(2)))));
        });
        t.put(Op.LINEAR, (in, a) -> {
            TensorType x = in.get(0), w = in.get(1), b = in.get(2);
            Args.requireRank(Op.LINEAR, "weight", w, 2);
            if (x.rank() == 0) throw error(Op.LINEAR, "input", "a tensor with at least 1 dim", x);
            DType d = sameDType(Op.LINEAR, x, "weight", w);
            Args.requireSameSize(Op.LINEAR, "weight", "in_features (dim 1) equal to input's last dim,",
                    x.shape().dim(x.rank() - 1), w.shape().dim(1));
            List<SymExpr> out = Args.dims(x);
            out.set(out.size() - 1, w.shape().dim(0));
            Shape s = Shape.of(out);
            if (b != null) {
                sameDType(Op.LINEAR, x, "bias", b);
                Shape bs = Broadcast.shapes(Op.LINEAR, "output", s, "bias", b.shape());
                if (!bs.equals(s)) throw error(Op.LINEAR, "bias", "a shape broadcastable to " + s, b);
            }
            return one(TensorType.of(d, s));
        });
    }

    static DType sameDType(Op op, TensorType x, String arg, TensorType y) {
        Args.requireNotBool(op, "self", x);
        if (x.dtype() != y.dtype()) {
            throw error(op, arg, "dtype " + x.dtype().irName() + " (the same as the first operand)", y);
        }
        return x.dtype();
    }

    /** {@code torch.matmul}: dot, mv, vm, mm, or batched mm with broadcast batch dims. */
    static TensorType matmul(TensorType x, TensorType y) {
        Op op = Op.MATMUL;
        if (x.rank() == 0 || y.rank() == 0) {
            throw error(op, x.rank() == 0 ? "self" : "other", "a tensor with at least 1 dim", x.rank() == 0 ? x : y);
        }
        DType d = sameDType(op, x, "other", y);
        // Promote vectors to matrices, then drop the added dims from the result.
        List<SymExpr> a = Args.dims(x);
        List<SymExpr> b = Args.dims(y);
        boolean vecA = a.size() == 1, vecB = b.size() == 1;
        if (vecA) a.add(0, SymExpr.of(1));
        if (vecB) b.add(SymExpr.of(1));
        SymExpr k1 = a.get(a.size() - 1), k2 = b.get(b.size() - 2);
        if (!k1.equals(k2)) {
            throw error(op, "other", "size " + k1 + " at dim " + (vecB ? 0 : y.rank() - 2)
                    + " (self's last dim)", y);
        }
        Shape batch = Broadcast.shapes(op, "self", Shape.of(a.subList(0, a.size() - 2)), "other",
                Shape.of(b.subList(0, b.size() - 2)));
        List<SymExpr> out = new ArrayList<>(batch.dims());
        if (!vecA) out.add(a.get(a.size() - 2));
        if (!vecB) out.add(b.get(b.size() - 1));
        return TensorType.of(d, Shape.of(out));
    }
}
