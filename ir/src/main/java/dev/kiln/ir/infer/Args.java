package dev.kiln.ir.infer;

import dev.kiln.ir.DType;
import dev.kiln.ir.Op;
import dev.kiln.ir.sym.SymExpr;
import dev.kiln.ir.type.Shape;
import dev.kiln.ir.type.TensorType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Argument checks and small shape helpers shared by the rule families; each failure names op and argument. */
final class Args {
    private Args() {}

    static TypeInferenceException error(Op op, String arg, String expected, Object found) {
        return TypeInferenceException.of(op, arg, expected, found);
    }

    /** Wraps a possibly negative {@code dim} into {@code [0, rank)}; a 0-d tensor accepts dims of a 1-d one. */
    static int wrapDim(Op op, String arg, long dim, int rank) {
        int r = Math.max(rank, 1);
        if (dim < -r || dim >= r) {
            throw error(op, arg, "a dim in [" + -r + ", " + (r - 1) + "]", dim);
        }
        return (int) (dim < 0 ? dim + r : dim);
    }

    static void requireRank(Op op, String arg, TensorType t, int... ranks) {
        for (int r : ranks) if (t.rank() == r) return;
        String want = ranks.length == 1 ? ranks[0] + "-d" : Arrays.toString(ranks).replace(", ", " or ") + "-d";
        throw error(op, arg, "a " + want + " tensor", t);
    }

    static void requireFloating(Op op, String arg, TensorType t) {
        if (!t.dtype().isFloatingPoint()) throw error(op, arg, "a floating-point tensor (f32 or f64)", t);
    }

    static void requireNotBool(Op op, String arg, TensorType t) {
        if (t.dtype() == DType.BOOL) throw error(op, arg, "a numeric tensor (bool is not supported)", t);
    }

    static void requireDType(Op op, String arg, TensorType t, DType dtype) {
        if (t.dtype() != dtype) throw error(op, arg, "a " + dtype.irName() + " tensor", t);
    }

    /** Two sizes that must be equal for every value of the symbols. */
    static void requireSameSize(Op op, String arg, String what, SymExpr expected, SymExpr found) {
        if (!expected.equals(found)) throw error(op, arg, what + " " + expected, found);
    }

    static List<TensorType> one(TensorType t) { return List.of(t); }

    /** An INT_LIST of one value repeated, or of two values (ATen's {@code IntArrayRef[2]} expansion). */
    static long[] pair(Op op, String arg, long[] v) {
        if (v.length == 1) return new long[] {v[0], v[0]};
        if (v.length == 2) return v;
        throw error(op, arg, "1 or 2 values", Arrays.toString(v));
    }

    static Shape shapeOf(List<SymExpr> dims) { return Shape.of(dims); }

    static List<SymExpr> dims(TensorType t) { return new ArrayList<>(t.shape().dims()); }
}
