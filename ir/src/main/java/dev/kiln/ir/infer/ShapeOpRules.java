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
import java.util.Optional;

/**
 * Rules of the shape and view ops. Where the result would depend on the value of a symbol (squeezing a symbolic
 * dim, slicing it from a non-zero start, splitting it) the rule refuses with an error rather than guess.
 */
final class ShapeOpRules {
    private ShapeOpRules() {}

    static void register(Map<Op, TypeRule> t) {
        t.put(Op.VIEW, (in, a) -> one(in.get(0).withShape(resolveSize(Op.VIEW, "size", in.get(0), a.getShape("size")))));
        t.put(Op.RESHAPE, (in, a) -> one(in.get(0).withShape(
                resolveSize(Op.RESHAPE, "shape", in.get(0), a.getShape("shape")))));
        t.put(Op.FLATTEN, ShapeOpRules::flatten);
        t.put(Op.TRANSPOSE, (in, a) -> {
            TensorType x = in.get(0);
            List<SymExpr> d = Args.dims(x);
            if (x.rank() == 0) return one(x.withShape(x.shape()));
            int d0 = Args.wrapDim(Op.TRANSPOSE, "dim0", a.getInt("dim0"), x.rank());
            int d1 = Args.wrapDim(Op.TRANSPOSE, "dim1", a.getInt("dim1"), x.rank());
            SymExpr tmp = d.get(d0);
            d.set(d0, d.get(d1));
            d.set(d1, tmp);
            return one(x.withShape(Shape.of(d)));
        });
        t.put(Op.PERMUTE, ShapeOpRules::permute);
        t.put(Op.SELECT, (in, a) -> {
            TensorType x = in.get(0);
            if (x.rank() == 0) throw error(Op.SELECT, "self", "a tensor with at least 1 dim", x);
            int d = Args.wrapDim(Op.SELECT, "dim", a.getInt("dim"), x.rank());
            long index = a.getInt("index");
            SymExpr size = x.shape().dim(d);
            if (size.isConstant() ? index < -size.constant() || index >= size.constant() : index < 0) {
                throw error(Op.SELECT, "index", "an index in [-" + size + ", " + size + ")", index);
            }
            List<SymExpr> out = Args.dims(x);
            out.remove(d);
            return one(x.withShape(Shape.of(out)));
        });
        t.put(Op.SLICE, ShapeOpRules::slice);
        t.put(Op.EXPAND, ShapeOpRules::expand);
        t.put(Op.SQUEEZE, ShapeOpRules::squeeze);
        t.put(Op.UNSQUEEZE, (in, a) -> {
            TensorType x = in.get(0);
            int d = Args.wrapDim(Op.UNSQUEEZE, "dim", a.getInt("dim"), x.rank() + 1);
            List<SymExpr> out = Args.dims(x);
            out.add(d, SymExpr.of(1));
            return one(x.withShape(Shape.of(out)));
        });
        t.put(Op.CAT, ShapeOpRules::cat);
        t.put(Op.STACK, ShapeOpRules::stack);
        t.put(Op.SPLIT, (in, a) -> split(Op.SPLIT, in.get(0), a.getInt("dim"), a.getInt("split_size"), -1));
        t.put(Op.CHUNK, (in, a) -> split(Op.CHUNK, in.get(0), a.getInt("dim"), -1, a.getInt("chunks")));
        for (Op op : List.of(Op.TRIU, Op.TRIL)) {
            t.put(op, (in, a) -> {
                if (in.get(0).rank() < 2) throw error(op, "self", "a tensor with at least 2 dims", in.get(0));
                return one(in.get(0).withShape(in.get(0).shape()));
            });
        }
    }

    /**
     * ATen's {@code infer_size} over symbolic sizes: at most one {@code -1}, inferred as the input's element count
     * divided by the product of the other sizes — which must divide it as a polynomial ({@code B*784 / 784 = B}).
     */
    static Shape resolveSize(Op op, String arg, TensorType x, long[] size) {
        List<SymExpr> l = new ArrayList<>();
        for (long v : size) l.add(SymExpr.of(v));
        return resolveSize(op, arg, x, l);
    }

    /** As {@link #resolveSize(Op, String, TensorType, long[])} with sizes that may be symbolic ({@code [B, -1]}). */
    static Shape resolveSize(Op op, String arg, TensorType x, List<SymExpr> size) {
        SymExpr numel = x.shape().numel();
        SymExpr known = SymExpr.of(1);
        int infer = -1;
        for (int i = 0; i < size.size(); i++) {
            SymExpr s = size.get(i);
            if (s.isConstant(-1) && infer < 0) infer = i;
            else if (s.isConstant() && s.constant() < 0) {
                throw error(op, arg, "sizes >= 0 and at most one -1", size);
            } else known = known.times(s);
        }
        List<SymExpr> out = new ArrayList<>(size);
        if (infer < 0) {
            if (!numel.equals(known)) {
                throw error(op, arg, "a shape with " + numel + " elements (the input is " + x + ")", size);
            }
            return Shape.of(out);
        }
        if (known.isConstant(0)) {
            throw error(op, arg, "no 0 size beside -1 (the -1 would be ambiguous)", size);
        }
        Optional<SymExpr> q = numel.divExact(known);
        if (q.isEmpty()) {
            throw error(op, arg, "sizes whose product " + known + " divides the input's " + numel
                    + " elements for every value of the symbols (input " + x + ")", size);
        }
        out.set(infer, q.get());
        return Shape.of(out);
    }

    private static List<TensorType> flatten(List<TensorType> in, Attrs a) {
        TensorType x = in.get(0);
        if (x.rank() == 0) return one(x.withShape(Shape.of(1)));
        int s = Args.wrapDim(Op.FLATTEN, "start_dim", a.getInt("start_dim"), x.rank());
        int e = Args.wrapDim(Op.FLATTEN, "end_dim", a.getInt("end_dim"), x.rank());
        if (s > e) throw error(Op.FLATTEN, "start_dim", "start_dim <= end_dim (" + e + ")", s);
        List<SymExpr> out = new ArrayList<>(x.shape().dims().subList(0, s));
        out.add(Shape.of(x.shape().dims().subList(s, e + 1)).numel());
        out.addAll(x.shape().dims().subList(e + 1, x.rank()));
        return one(x.withShape(Shape.of(out)));
    }

    private static List<TensorType> permute(List<TensorType> in, Attrs a) {
        TensorType x = in.get(0);
        long[] dims = a.getInts("dims");
        if (dims.length != x.rank()) {
            throw error(Op.PERMUTE, "dims", "a permutation of " + x.rank() + " dims", Arrays.toString(dims));
        }
        boolean[] seen = new boolean[x.rank()];
        List<SymExpr> out = new ArrayList<>();
        for (long d : dims) {
            int w = Args.wrapDim(Op.PERMUTE, "dims", d, x.rank());
            if (seen[w]) throw error(Op.PERMUTE, "dims", "each dim once", Arrays.toString(dims));
            seen[w] = true;
            out.add(x.shape().dim(w));
        }
        return one(x.withShape(Shape.of(out)));
    }

    /** {@code slice(dim, start, end, step)} with ATen's clamping, decided exactly for a constant dim. */
    private static List<TensorType> slice(List<TensorType> in, Attrs a) {
        Op op = Op.SLICE;
        TensorType x = in.get(0);
        if (x.rank() == 0) throw error(op, "self", "a tensor with at least 1 dim", x);
        int d = Args.wrapDim(op, "dim", a.getInt("dim"), x.rank());
        long step = a.getInt("step");
        if (step <= 0) throw error(op, "step", "a positive step", step);
        SymExpr size = x.shape().dim(d);
        Object startV = a.getOrNull("start"), endV = a.getOrNull("end");
        long start = startV == null ? 0 : (Long) startV;
        long end = endV == null ? Long.MAX_VALUE : (Long) endV;
        SymExpr len;
        if (size.isConstant()) {
            long n = size.constant();
            if (start < 0) start += n;
            if (end < 0) end += n;
            start = Math.min(Math.max(start, 0), n);
            end = Math.min(Math.max(end, start), n);
            len = SymExpr.of((end - start + step - 1) / step);
        } else if (start == 0 && end == Long.MAX_VALUE) {
            len = size.ceilDiv(step);
        } else {
            throw error(op, startV != null && start != 0 ? "start" : "end", "the full range of symbolic dim " + d
                    + " of size " + size + " (any other bound is clamped differently for different sizes)",
                    start != 0 ? start : end);
        }
        List<SymExpr> out = Args.dims(x);
        out.set(d, len);
        return one(x.withShape(Shape.of(out)));
    }

    private static List<TensorType> expand(List<TensorType> in, Attrs a) {
        Op op = Op.EXPAND;
        TensorType x = in.get(0);
        List<SymExpr> size = a.getShape("size");
        if (size.size() < x.rank()) {
            throw error(op, "size", "at least " + x.rank() + " sizes (the input's rank)", size);
        }
        int lead = size.size() - x.rank();
        List<SymExpr> out = new ArrayList<>();
        for (int i = 0; i < size.size(); i++) {
            SymExpr s = size.get(i);
            boolean negative = s.isConstant() && s.constant() < 0;
            if (i < lead) {
                if (negative) throw error(op, "size", "non-negative sizes for new leading dims", size);
                out.add(s);
                continue;
            }
            SymExpr have = x.shape().dim(i - lead);
            if (s.isConstant(-1) || have.equals(s)) out.add(have);
            else if (have.isConstant(1) && !negative) out.add(s);
            else throw error(op, "size", "size " + have + " or -1 at dim " + i + " (the input's size there is not "
                    + "1)", size);
        }
        return one(x.withShape(Shape.of(out)));
    }

    private static List<TensorType> squeeze(List<TensorType> in, Attrs a) {
        TensorType x = in.get(0);
        List<SymExpr> out = new ArrayList<>();
        Integer only = a.has("dim") ? Args.wrapDim(Op.SQUEEZE, "dim", a.getInt("dim"), x.rank()) : null;
        for (int i = 0; i < x.rank(); i++) {
            SymExpr s = x.shape().dim(i);
            boolean candidate = only == null || only == i;
            if (candidate && !s.isConstant()) {
                throw error(Op.SQUEEZE, "self", "a constant size at dim " + i + " (whether it is squeezed depends "
                        + "on the value of the symbols)", x);
            }
            if (!(candidate && s.isConstant(1))) out.add(s);
        }
        return one(x.withShape(Shape.of(out)));
    }

    private static List<TensorType> cat(List<TensorType> in, Attrs a) {
        Op op = Op.CAT;
        TensorType first = null;
        for (int i = 0; i < in.size(); i++) {
            TensorType t = in.get(i);
            if (t.rank() == 0) throw error(op, "tensors", "tensors with at least 1 dim (at position " + i + ")", t);
            // Legacy behaviour: 1-d empty tensors are skipped whatever the others' shapes.
            if (!(t.rank() == 1 && t.shape().dim(0).isConstant(0)) && first == null) first = t;
        }
        DType dtype = Promotion.resultType(in);
        if (first == null) return one(TensorType.of(dtype, in.get(0).shape()));
        int d = Args.wrapDim(op, "dim", a.getInt("dim"), first.rank());
        List<SymExpr> out = Args.dims(first);
        SymExpr total = SymExpr.of(0);
        for (int i = 0; i < in.size(); i++) {
            TensorType t = in.get(i);
            if (t.rank() == 1 && t.shape().dim(0).isConstant(0)) continue;
            if (t.rank() != first.rank()) {
                throw error(op, "tensors", "rank " + first.rank() + " at position " + i, t);
            }
            for (int k = 0; k < t.rank(); k++) {
                if (k != d && !t.shape().dim(k).equals(out.get(k))) {
                    throw error(op, "tensors", "size " + out.get(k) + " at dim " + k + " (position " + i + ")", t);
                }
            }
            total = total.plus(t.shape().dim(d));
        }
        out.set(d, total);
        return one(TensorType.of(dtype, Shape.of(out)));
    }

    private static List<TensorType> stack(List<TensorType> in, Attrs a) {
        TensorType first = in.get(0);
        for (int i = 1; i < in.size(); i++) {
            if (!in.get(i).shape().equals(first.shape())) {
                throw error(Op.STACK, "tensors", "shape " + first.shape() + " at position " + i, in.get(i));
            }
        }
        int d = Args.wrapDim(Op.STACK, "dim", a.getInt("dim"), first.rank() + 1);
        List<SymExpr> out = Args.dims(first);
        out.add(d, SymExpr.of(in.size()));
        return one(TensorType.of(Promotion.resultType(in), Shape.of(out)));
    }

    /** {@code split} ({@code splitSize} given) or {@code chunk} ({@code chunks} given): needs a constant dim. */
    private static List<TensorType> split(Op op, TensorType x, long dim, long splitSize, long chunks) {
        if (x.rank() == 0) throw error(op, "self", "a tensor with at least 1 dim", x);
        int d = Args.wrapDim(op, "dim", dim, x.rank());
        SymExpr size = x.shape().dim(d);
        if (!size.isConstant()) {
            throw error(op, "self", "a constant size at dim " + d + " (the number of outputs depends on it)", x);
        }
        long n = size.constant();
        if (chunks >= 0) {
            if (chunks <= 0) throw error(op, "chunks", "a positive number", chunks);
            splitSize = (n + chunks - 1) / chunks;
        }
        if (splitSize < 0 || (splitSize == 0 && n > 0)) {
            throw error(op, "split_size", "a positive size", splitSize);
        }
        long pieces = n == 0 ? 1 : (n + splitSize - 1) / splitSize;
        List<TensorType> out = new ArrayList<>();
        for (long p = 0; p < pieces; p++) {
            List<SymExpr> dims = Args.dims(x);
            dims.set(d, SymExpr.of(Math.min(splitSize, n - p * splitSize)));
            out.add(x.withShape(Shape.of(dims)));
        }
        return out;
    }
}
