package dev.kiln.passes.simplify;

import static dev.kiln.passes.simplify.Match.call;
import static dev.kiln.passes.simplify.Match.rank;
import static dev.kiln.passes.simplify.Match.sameType;
import static dev.kiln.passes.simplify.Match.wrap;

import dev.kiln.ir.Attrs;
import dev.kiln.ir.Op;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.NodeKind;
import dev.kiln.ir.graph.Value;
import dev.kiln.ir.infer.TypeInference;
import dev.kiln.ir.sym.SymExpr;
import dev.kiln.ir.type.TensorType;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Rules for views and reshapes. In the functional IR a view's aliasing is unobservable, so a view whose result has
 * its input's type and element order is the input itself, and a chain of reshapes is one reshape of the first
 * input (row-major order is preserved by each link). Transposes and permutations are identities only when they
 * provably map every index to itself: equal types are not enough there ({@code transpose(0, 1)} of a square matrix
 * keeps the type and moves the elements).
 */
public final class ViewRules {
    private ViewRules() {}

    /** Ops that keep row-major element order and change only the shape. */
    static final Set<Op> RESHAPE_LIKE = EnumSet.of(Op.VIEW, Op.RESHAPE, Op.FLATTEN, Op.SQUEEZE, Op.UNSQUEEZE);

    public static List<Rule> all() {
        return List.of(
                // view(x, shape(x)) => x; likewise reshape, flatten, squeeze, expand, full-range slice
                Rule.of("noop-view", "view(x, shape(x)) => x (order-preserving views)",
                        n -> sameType(n, n.input(0)) ? n.input(0) : null,
                        Op.VIEW, Op.RESHAPE, Op.FLATTEN, Op.SQUEEZE, Op.EXPAND, Op.SLICE),
                // transpose(x, d, d) => x
                Rule.of("transpose-same-dim", "transpose(x, d, d) => x", n -> sameDims(n) ? n.input(0) : null,
                        Op.TRANSPOSE),
                // permute(x, [0, 1, ..., n-1]) => x
                Rule.of("identity-permute", "permute(x, identity) => x",
                        n -> isIdentity(call(n).attrs().getInts("dims"), rank(n.input(0))) ? n.input(0) : null,
                        Op.PERMUTE),
                // transpose(transpose(x, a, b), a, b) => x
                Rule.of("double-transpose", "transpose(transpose(x, a, b), a, b) => x", ViewRules::doubleTranspose,
                        Op.TRANSPOSE),
                // permute(permute(x, p), q) => x when q . p = identity
                Rule.of("inverse-permute", "permute(permute(x, p), q) => x if q . p = id", ViewRules::inversePermute,
                        Op.PERMUTE),
                // reshape(reshape(x, s1), s2) => reshape(x, s2)   (also view, flatten, squeeze, unsqueeze links)
                Rule.of("reshape-chain", "reshape(reshape(x, s1), s2) => reshape(x, s2)", ViewRules::reshapeChain,
                        RESHAPE_LIKE.toArray(Op[]::new)));
    }

    private static boolean sameDims(Node n) {
        Attrs a = call(n).attrs();
        int r = rank(n.input(0));
        return wrap(a.getInt("dim0"), r) == wrap(a.getInt("dim1"), r);
    }

    private static boolean isIdentity(long[] dims, int rank) {
        for (int i = 0; i < dims.length; i++) if (wrap(dims[i], rank) != i) return false;
        return true;
    }

    private static Value doubleTranspose(Node n) {
        Node p = Match.producedBy(n.input(0), Op.TRANSPOSE);
        if (p == null) return null;
        int r = rank(n.input(0));
        Attrs a = call(n).attrs();
        Attrs b = call(p).attrs();
        Set<Long> outer = Set.of(wrap(a.getInt("dim0"), r), wrap(a.getInt("dim1"), r));
        Set<Long> inner = Set.of(wrap(b.getInt("dim0"), r), wrap(b.getInt("dim1"), r));
        return outer.equals(inner) && sameType(n, p.input(0)) ? p.input(0) : null;
    }

    private static Value inversePermute(Node n) {
        Node p = Match.producedBy(n.input(0), Op.PERMUTE);
        if (p == null) return null;
        int r = rank(n.input(0));
        long[] q = call(n).attrs().getInts("dims");
        long[] pp = call(p).attrs().getInts("dims");
        // output dim i of the pair reads input dim pp[q[i]]
        for (int i = 0; i < r; i++) if (wrap(pp[(int) wrap(q[i], r)], r) != i) return null;
        return sameType(n, p.input(0)) ? p.input(0) : null;
    }

    private static Value reshapeChain(Node n) {
        Value mid = n.input(0);
        if (mid.producer() == null || !(mid.producer().kind() instanceof NodeKind.OpCall c)
                || !RESHAPE_LIKE.contains(c.op())) {
            return null;
        }
        Value x = mid.producer().input(0);
        if (sameType(n, x)) return x;
        TensorType out = (TensorType) n.output().type();
        Attrs attrs = Attrs.of(Op.RESHAPE).set("shape", shapeAttr(out)).build();
        try {
            List<TensorType> t = TypeInference.infer(Op.RESHAPE, List.of((TensorType) x.type()), attrs);
            if (!t.get(0).equals(out)) return null;
        } catch (RuntimeException refused) {
            return null; // the reshape rule cannot prove the sizes agree symbolically: keep the chain
        }
        return n.graph().create(new NodeKind.OpCall(Op.RESHAPE, attrs)).inputs(x).outputs(out).source(n.source())
                .insertBefore(n).output();
    }

    private static Object shapeAttr(TensorType t) {
        if (t.shape().isStatic()) return t.shape().toLongs();
        List<SymExpr> dims = t.shape().dims();
        return dims;
    }
}
