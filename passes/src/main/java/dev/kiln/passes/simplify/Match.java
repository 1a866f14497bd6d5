package dev.kiln.passes.simplify;

import dev.kiln.ir.Op;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.NodeKind;
import dev.kiln.ir.graph.Value;
import dev.kiln.ir.type.TensorType;

/** Small predicates the rule tables share. */
final class Match {
    private Match() {}

    /** The op call producing {@code v} when it is {@code op}, else null. */
    static Node producedBy(Value v, Op op) {
        if (v == null || v.producer() == null) return null;
        Node p = v.producer();
        return p.kind() instanceof NodeKind.OpCall c && c.op() == op ? p : null;
    }

    static NodeKind.OpCall call(Node n) { return (NodeKind.OpCall) n.kind(); }

    /**
     * Whether {@code node}'s output may be replaced by {@code x}: identical types, so neither broadcasting (a larger
     * shape) nor type promotion (another dtype) nor wrapped-number status would change.
     */
    static boolean sameType(Node node, Value x) {
        return node.outputs().size() == 1 && node.output().type().equals(x.type());
    }

    static boolean isFloat(Value v) { return v.type() instanceof TensorType t && t.dtype().isFloatingPoint(); }

    static boolean isDefaultAlpha(Node n) { return Long.valueOf(1).equals(call(n).attrs().getScalar("alpha")); }

    /** {@code dim} wrapped into [0, rank). */
    static long wrap(long dim, int rank) { return dim < 0 ? dim + rank : dim; }

    static int rank(Value v) { return ((TensorType) v.type()).rank(); }
}
