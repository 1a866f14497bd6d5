package dev.kiln.ir.graph;

import dev.kiln.ir.Attrs;
import dev.kiln.ir.Op;
import java.util.Objects;

/**
 * What a {@link Node} does. Catalogue ops are {@link OpCall}s; the other kinds are graph structure that has no
 * eager kernel and so stays out of the {@link Op} catalogue (every module's op table would otherwise have to cover
 * them): model parameters, constants, symbolic sizes, structured control flow and block terminators.
 *
 * <table>
 *   <caption>Node kinds and their IR text</caption>
 *   <tr><th>kind</th><th>text</th><th>inputs</th><th>outputs</th><th>blocks</th></tr>
 *   <tr><td>{@link OpCall}</td><td>{@code aten::relu(%1)}</td><td>per schema</td><td>per schema</td><td>0</td></tr>
 *   <tr><td>{@link Param}</td><td>{@code param["conv.weight"]}</td><td>0</td><td>1 tensor</td><td>0</td></tr>
 *   <tr><td>{@link Const}</td><td>{@code const(1.5)}, {@code const([1, 2])}</td><td>0</td><td>1 tensor</td>
 *       <td>0</td></tr>
 *   <tr><td>{@link ConstRef}</td><td>{@code const(@w0)}</td><td>0</td><td>1 tensor</td><td>0</td></tr>
 *   <tr><td>{@link Size}</td><td>{@code aten::size(%x, dim=0)}</td><td>1 tensor</td><td>1 int</td><td>0</td></tr>
 *   <tr><td>{@link Cond}</td><td>{@code kiln::cond(%pred, %a, ...)}</td><td>bool scalar, operands</td>
 *       <td>branch results</td><td>2</td></tr>
 *   <tr><td>{@link Scan}</td><td>{@code kiln::scan(%xs, %init, dim=1)}</td><td>sequence, initial carry</td>
 *       <td>final carry, stacked carries</td><td>1</td></tr>
 *   <tr><td>{@link Guard}</td><td>{@code kiln::guard(%s, expected=true)}</td><td>1-element tensor</td><td>0</td>
 *       <td>0</td></tr>
 *   <tr><td>{@link Fused}</td><td>{@code kiln::fused(%a, %b)}</td><td>captured values</td>
 *       <td>block results</td><td>1</td></tr>
 *   <tr><td>{@link Return}</td><td>{@code return (%a, ...)}</td><td>block results</td><td>0</td><td>0</td></tr>
 * </table>
 */
public sealed interface NodeKind
        permits NodeKind.OpCall, NodeKind.Param, NodeKind.Const, NodeKind.ConstRef, NodeKind.Size, NodeKind.Cond,
        NodeKind.Scan, NodeKind.Guard, NodeKind.Fused, NodeKind.Return {

    /** The name the kind prints with: {@code aten::add}, {@code param}, {@code const}, ... */
    String name();

    /** A call of a catalogue op with its attribute values ({@code attrs.op() == op}). */
    record OpCall(Op op, Attrs attrs) implements NodeKind {
        public OpCall {
            Objects.requireNonNull(op, "op");
            Objects.requireNonNull(attrs, "attrs");
        }

        public OpCall(Op op) { this(op, Attrs.defaults(op)); }

        @Override
        public String name() { return op.qualifiedName(); }
    }

    /** A model parameter or buffer, named by its state-dict key ({@code layer1.0.conv1.weight}). */
    record Param(String key) implements NodeKind {
        public Param {
            if (key == null || key.isEmpty() || key.contains("\"") || key.contains("\\") || key.contains("\n")) {
                throw new IllegalArgumentException("bad parameter key '" + key + "'");
            }
        }

        @Override
        public String name() { return "param"; }
    }

    /**
     * A small constant tensor whose elements print inline. A 0-d constant whose output type is a wrapped number
     * stands for a Java scalar ({@code x * 1.5}).
     */
    record Const(TensorData data) implements NodeKind {
        /** Constants with at most this many elements print inline; larger ones go to the constant table. */
        public static final int INLINE_LIMIT = 16;

        public Const {
            Objects.requireNonNull(data, "data");
        }

        @Override
        public String name() { return "const"; }
    }

    /** A constant held in the graph's constant table under {@code key}; printed {@code const(@key)}. */
    record ConstRef(String key) implements NodeKind {
        public ConstRef {
            if (key == null || !Graph.isValidName(key)) throw new IllegalArgumentException("bad constant key '" + key + "'");
        }

        @Override
        public String name() { return "const"; }
    }

    /** {@code aten::size(self, dim)}: one size of a tensor, as a symbolic integer. {@code dim} may be negative. */
    record Size(long dim) implements NodeKind {
        @Override
        public String name() { return "aten::size"; }
    }

    /**
     * {@code kiln::cond(pred, operands...)}: runs block 0 when the 0-d bool {@code pred} is true, else block 1.
     * Each block takes parameters typed like the operands and returns values typed like the node's outputs.
     */
    record Cond() implements NodeKind {
        @Override
        public String name() { return "kiln::cond"; }
    }

    /**
     * {@code kiln::scan(xs, init, dim)}: a loop over the slices of {@code xs} along {@code dim}, as
     * {@code jax.lax.scan}. Its one block takes {@code (slice, carry)} and returns the next carry (typed like
     * {@code init}); the node yields the final carry and the carries of every step stacked along {@code dim}.
     * The trip count is the size of {@code xs} at {@code dim}, so it may be symbolic.
     */
    record Scan(long dim) implements NodeKind {
        @Override
        public String name() { return "kiln::scan"; }
    }

    /**
     * {@code kiln::guard(value, expected)}: the trace read one element of {@code value} into Java (a data-dependent
     * branch, {@code item()}) and saw {@code expected} ({@link Boolean}, {@link Long} or {@link Double}); running
     * the graph where the element differs must fail (or warn), since the trace may have taken another path. The
     * node's source info names the Java line that read it. No outputs; never removed as dead code.
     */
    record Guard(Object expected) implements NodeKind {
        public Guard {
            if (!(expected instanceof Boolean || expected instanceof Long || expected instanceof Double)) {
                throw new IllegalArgumentException("a guard expects a Boolean, Long or Double, found " + expected);
            }
        }

        @Override
        public String name() { return "kiln::guard"; }
    }

    /**
     * A fusion group made by the optimisation passes: one closed block whose parameters take the node's inputs
     * (same types) and whose results are the node's outputs. The block refers only to its own parameters and values
     * defined in it, so a backend can lower it on its own (one kernel). {@link Group#LOOP} ({@code kiln::fused}):
     * elementwise ops over one iteration domain, with at most one reduction; {@link Group#EPILOGUE}
     * ({@code kiln::fused_epilogue}): a linear, matmul or conv2d followed by elementwise epilogue ops.
     */
    record Fused(Group group) implements NodeKind {
        /** What a fusion group holds. */
        public enum Group {
            LOOP("kiln::fused"), EPILOGUE("kiln::fused_epilogue");

            private final String text;

            Group(String text) { this.text = text; }

            public String text() { return text; }
        }

        public Fused {
            Objects.requireNonNull(group, "group");
        }

        @Override
        public String name() { return group.text(); }
    }

    /** The terminator of a block; its inputs are the block's results. Not printed as a node. */
    record Return() implements NodeKind {
        @Override
        public String name() { return "return"; }
    }
}
