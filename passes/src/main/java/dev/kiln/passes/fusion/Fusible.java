package dev.kiln.passes.fusion;

import dev.kiln.ir.Op;
import dev.kiln.ir.OpTrait;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.NodeKind;
import dev.kiln.ir.type.Shape;
import dev.kiln.ir.type.TensorType;
import java.util.EnumSet;
import java.util.Set;

/**
 * Which nodes fusion may put in a group, and in what role. The kernel IR ({@code dev.kiln.passes.kernel}) can
 * express exactly these: elementwise ops over one iteration domain, and reductions along one axis.
 */
public final class Fusible {
    private Fusible() {}

    /** Ops a {@code kiln::fused_epilogue} group is anchored on. */
    public static final Set<Op> ANCHORS = EnumSet.of(Op.LINEAR, Op.MATMUL, Op.MM, Op.BMM, Op.CONV2D);

    /** Reductions whose result has the input's shape, so elementwise ops may follow them in the same group. */
    public static final Set<Op> FULL_SHAPE_REDUCTIONS = EnumSet.of(Op.SOFTMAX, Op.LOG_SOFTMAX, Op.LAYER_NORM);

    /** Reductions that may end a group (their result is smaller). */
    public static final Set<Op> ENDING_REDUCTIONS = EnumSet.of(Op.SUM, Op.MEAN);

    /** An elementwise, non-random, single-output op call producing a real (not wrapped-number) tensor. */
    public static boolean pointwise(Node n) {
        return n.kind() instanceof NodeKind.OpCall c && c.op().has(OpTrait.ELEMENTWISE) && !c.op().has(OpTrait.RANDOM)
                && n.outputs().size() == 1 && n.output().type() instanceof TensorType t && !t.wrappedNumber();
    }

    /** The op of an op call, or null. */
    public static Op op(Node n) { return n.kind() instanceof NodeKind.OpCall c ? c.op() : null; }

    /**
     * The reduced axis (wrapped, non-negative) when {@code n} is a reduction a group can hold — softmax and
     * log_softmax without a dtype, layer_norm over one trailing dim, sum and mean over exactly one dim without a
     * dtype — else -1.
     */
    public static int reductionAxis(Node n) {
        if (!(n.kind() instanceof NodeKind.OpCall c) || n.inputs().isEmpty() || n.input(0) == null) return -1;
        int rank = ((TensorType) n.input(0).type()).rank();
        if (rank == 0) return -1;
        switch (c.op()) {
            case SOFTMAX, LOG_SOFTMAX -> {
                if (c.attrs().getOrNull("dtype") != null) return -1;
                return wrap(c.attrs().getInt("dim"), rank);
            }
            case LAYER_NORM -> {
                return c.attrs().getInts("normalized_shape").length == 1 ? rank - 1 : -1;
            }
            case SUM, MEAN -> {
                long[] dims = c.attrs().getInts("dim");
                if (dims.length != 1 || c.attrs().getOrNull("dtype") != null) return -1;
                if (!((TensorType) n.input(0).type()).dtype().isFloatingPoint()) return -1;
                return wrap(dims[0], rank);
            }
            default -> {
                return -1;
            }
        }
    }

    /** The shape a node's (first) output has. */
    public static Shape shape(Node n) { return ((TensorType) n.outputs().get(0).type()).shape(); }

    private static int wrap(long d, int rank) { return (int) (d < 0 ? d + rank : d); }
}
