package dev.kiln.ir.verify;

import dev.kiln.ir.DType;
import dev.kiln.ir.IrException;
import dev.kiln.ir.graph.Block;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.NodeKind;
import dev.kiln.ir.graph.TensorData;
import dev.kiln.ir.graph.Use;
import dev.kiln.ir.graph.Value;
import dev.kiln.ir.infer.TypeInference;
import dev.kiln.ir.text.IrPrinter;
import dev.kiln.ir.type.Shape;
import dev.kiln.ir.type.SymIntType;
import dev.kiln.ir.type.TensorType;
import dev.kiln.ir.type.ValueType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks the invariants of a {@link Graph}, as FX's {@code lint} and JAX's {@code check_jaxpr} do, and throws a
 * {@link VerifyException} at the first violation, quoting the node with {@value #CONTEXT} lines around it:
 * <ol>
 *   <li>every value is defined exactly once (names unique in the graph) and before its use, in a block that
 *       encloses the use (lexical scoping);</li>
 *   <li>use-lists agree with node inputs;</li>
 *   <li>each node has the inputs, attributes and blocks its kind requires — for ops, the schema's arity;</li>
 *   <li>declared output types equal the types the op's rule in {@link TypeInference} computes (and the constant's
 *       data, the parameter's tensor type, the size's symbolic value);</li>
 *   <li>the graph has outputs and every block's results are visible at its return; {@code kiln::cond} branches
 *       take the operands' types and return the node's output types.</li>
 * </ol>
 */
public final class GraphVerifier {
    /** Lines of context printed before and after the offending node. */
    public static final int CONTEXT = 2;

    private final Graph graph;
    /** Definition order of every value, to tell "used before defined" from "used out of scope". */
    private final Map<Value, Integer> order = new IdentityHashMap<>();
    private final Set<String> names = new HashSet<>();

    private GraphVerifier(Graph graph) { this.graph = graph; }

    /** Verifies {@code graph}; throws {@link VerifyException} naming the first offending node. */
    public static void verify(Graph graph) {
        GraphVerifier v = new GraphVerifier(graph);
        v.number(graph.topBlock());
        v.block(graph.topBlock(), new HashSet<>());
        if (graph.outputs().isEmpty()) {
            throw v.fail(graph.topBlock().returnNode(), "missing output: the graph returns no values");
        }
    }

    private void number(Block b) {
        for (Value p : b.params()) define(p, null);
        for (Node n : b.nodes()) {
            for (Block sub : n.blocks()) number(sub);
            for (Value o : n.outputs()) define(o, n);
        }
    }

    private void define(Value v, Node at) {
        if (order.containsKey(v) || !names.add(v.name())) {
            throw fail(at, "value " + v + " is defined twice");
        }
        order.put(v, order.size());
    }

    private void block(Block b, Set<Value> outer) {
        Set<Value> visible = new HashSet<>(outer);
        for (int i = 0; i < b.params().size(); i++) {
            Value p = b.params().get(i);
            if (p.parameterOf() != b || p.index() != i) throw fail(b.owner(), "parameter " + p + " has a bad owner");
            visible.add(p);
        }
        for (Node n : b.nodes()) {
            if (n.block() != b) throw fail(n, "node is listed in a block it does not belong to");
            inputs(n, visible);
            kind(n);
            for (Block sub : n.blocks()) {
                if (sub.owner() != n) throw fail(n, "sub-block is owned by another node");
                block(sub, visible);
            }
            for (int i = 0; i < n.outputs().size(); i++) {
                Value o = n.outputs().get(i);
                if (o.producer() != n || o.index() != i) throw fail(n, "output " + o + " has a bad producer");
                visible.add(o);
            }
        }
        inputs(b.returnNode(), visible);
        for (Value r : b.results()) {
            if (r == null) throw fail(b.returnNode(), "missing output: a block result is None");
        }
    }

    private void inputs(Node n, Set<Value> visible) {
        for (int i = 0; i < n.inputs().size(); i++) {
            Value v = n.input(i);
            if (v == null) continue;
            if (!v.uses().contains(new Use(n, i))) throw fail(n, "use-list of " + v + " misses input " + i);
            if (visible.contains(v)) continue;
            Integer at = order.get(v);
            if (at == null) throw fail(n, "input " + v + " is not defined in this graph (its node was erased?)");
            if (!isOutOfScope(v, n)) {
                throw fail(n, "value " + v + " is used before its definition");
            }
            throw fail(n, "value " + v + " is used outside the block that defines it");
        }
    }

    /** Whether {@code v} is defined inside a block that does not enclose {@code user}. */
    private static boolean isOutOfScope(Value v, Node user) {
        Block def = v.producer() != null ? v.producer().block() : v.parameterOf();
        for (Block b = user.block(); b != null; b = b.owner() == null ? null : b.owner().block()) {
            if (b == def) return false;
        }
        return true;
    }

    private void kind(Node n) {
        NodeKind k = n.kind();
        if (!(k instanceof NodeKind.Cond || k instanceof NodeKind.Scan || k instanceof NodeKind.Fused)
                && !n.blocks().isEmpty()) {
            throw fail(n, k.name() + " takes no blocks, found " + n.blocks().size());
        }
        if (k instanceof NodeKind.OpCall c) opCall(n, c);
        else if (k instanceof NodeKind.Param) {
            arity(n, 0, 1);
            TensorType t = tensorOut(n);
            if (t.wrappedNumber()) throw fail(n, "a parameter cannot be a wrapped number");
        } else if (k instanceof NodeKind.Const c) {
            arity(n, 0, 1);
            constant(n, c.data());
        } else if (k instanceof NodeKind.ConstRef r) {
            arity(n, 0, 1);
            TensorData d = graph.constant(r.key());
            if (d == null) throw fail(n, "constant @" + r.key() + " is not in the graph's constant table");
            constant(n, d);
        } else if (k instanceof NodeKind.Size s) {
            arity(n, 1, 1);
            SymIntType expected = TypeInference.size(tensorIn(n, 0), s.dim());
            declared(n, 0, expected);
        } else if (k instanceof NodeKind.Cond) {
            cond(n);
        } else if (k instanceof NodeKind.Scan s) {
            scan(n, s);
        } else if (k instanceof NodeKind.Fused) {
            fused(n);
        } else if (k instanceof NodeKind.Guard) {
            arity(n, 1, 0);
            TensorType t = tensorIn(n, 0);
            if (!t.shape().numel().isConstant(1)) {
                throw fail(n, "type error: kiln::guard reads one element, but " + n.input(0) + " is " + t);
            }
        } else {
            throw fail(n, "a return node inside a block's node list");
        }
    }

    private void opCall(Node n, NodeKind.OpCall c) {
        if (c.attrs().op() != c.op()) throw fail(n, "attributes belong to " + c.attrs().op() + ", not " + c.op());
        List<TensorType> in = new ArrayList<>();
        for (int i = 0; i < n.inputs().size(); i++) in.add(n.input(i) == null ? null : tensorIn(n, i));
        List<TensorType> out;
        try {
            TypeInference.checkArity(c.op(), in);
        } catch (IrException e) {
            throw fail(n, "wrong arity: " + e.getMessage());
        }
        try {
            out = TypeInference.infer(c.op(), in, c.attrs());
        } catch (IrException e) {
            throw fail(n, "type error: " + e.getMessage());
        }
        if (out.size() != n.outputs().size()) {
            throw fail(n, "wrong arity: " + c.op() + " has " + out.size() + " output(s) here, the node declares "
                    + n.outputs().size());
        }
        for (int i = 0; i < out.size(); i++) declared(n, i, out.get(i));
    }

    private void constant(Node n, TensorData d) {
        TensorType t = tensorOut(n);
        TensorType expected = new TensorType(d.dtype(), Shape.of(d.shape()), t.wrappedNumber());
        declared(n, 0, expected);
    }

    private void cond(Node n) {
        if (n.inputs().isEmpty()) throw fail(n, "wrong arity: kiln::cond needs a predicate");
        TensorType pred = tensorIn(n, 0);
        if (pred.dtype() != DType.BOOL || pred.rank() != 0) {
            throw fail(n, "type error: kiln::cond predicate " + n.input(0) + " must be bool[], found " + pred);
        }
        if (n.blocks().size() != 2) throw fail(n, "kiln::cond needs 2 blocks, found " + n.blocks().size());
        for (int bi = 0; bi < 2; bi++) {
            Block b = n.blocks().get(bi);
            String which = bi == 0 ? "then-block" : "else-block";
            List<ValueType> operands = new ArrayList<>();
            for (Value v : n.inputs().subList(1, n.inputs().size())) operands.add(v == null ? null : v.type());
            if (!types(b.params()).equals(operands)) {
                throw fail(n, "kiln::cond " + which + " parameters " + types(b.params())
                        + " do not match the operand types " + operands);
            }
            if (!types(b.results()).equals(types(n.outputs()))) {
                throw fail(n, "kiln::cond " + which + " returns " + types(b.results())
                        + " but the node declares " + types(n.outputs()));
            }
        }
    }

    /** {@code kiln::scan}: block {@code (slice, carry) -> carry}; outputs the final carry and the stacked carries. */
    private void scan(Node n, NodeKind.Scan s) {
        arity(n, 2, 2);
        TensorType xs = tensorIn(n, 0);
        TensorType init = tensorIn(n, 1);
        if (xs.rank() == 0 || s.dim() < 0 || s.dim() >= xs.rank() || s.dim() > init.rank()) {
            throw fail(n, "type error: kiln::scan dim " + s.dim() + " must index " + xs + " and be at most the rank of "
                    + init);
        }
        if (n.blocks().size() != 1) throw fail(n, "kiln::scan needs 1 block, found " + n.blocks().size());
        List<dev.kiln.ir.sym.SymExpr> slice = new ArrayList<>(xs.shape().dims());
        dev.kiln.ir.sym.SymExpr steps = slice.remove((int) s.dim());
        List<ValueType> params = List.of(xs.withShape(Shape.of(slice)), init);
        Block b = n.blocks().get(0);
        if (!types(b.params()).equals(params)) {
            throw fail(n, "kiln::scan block parameters " + types(b.params()) + " must be (slice, carry) " + params);
        }
        if (!types(b.results()).equals(List.of(init))) {
            throw fail(n, "kiln::scan block returns " + types(b.results()) + " but the carry is " + init);
        }
        List<dev.kiln.ir.sym.SymExpr> stacked = new ArrayList<>(init.shape().dims());
        stacked.add((int) s.dim(), steps);
        declared(n, 0, init);
        declared(n, 1, init.withShape(Shape.of(stacked)));
    }

    /**
     * {@code kiln::fused}: one block taking the inputs' types and returning the outputs' types, closed (it uses only
     * its parameters and its own values), holding only op calls and constants.
     */
    private void fused(Node n) {
        if (n.blocks().size() != 1) throw fail(n, n.kind().name() + " needs 1 block, found " + n.blocks().size());
        Block b = n.blocks().get(0);
        if (!types(b.params()).equals(types(n.inputs()))) {
            throw fail(n, n.kind().name() + " block parameters " + types(b.params()) + " do not match the input types "
                    + types(n.inputs()));
        }
        if (!types(b.results()).equals(types(n.outputs()))) {
            throw fail(n, n.kind().name() + " block returns " + types(b.results()) + " but the node declares "
                    + types(n.outputs()));
        }
        if (n.outputs().isEmpty()) throw fail(n, "wrong arity: " + n.kind().name() + " has no outputs");
        Set<Value> own = new HashSet<>(b.params());
        for (Node m : b.nodes()) {
            if (!(m.kind() instanceof NodeKind.OpCall || m.kind() instanceof NodeKind.Const
                    || m.kind() instanceof NodeKind.ConstRef)) {
                throw fail(m, "a fusion group holds only op calls and constants, found " + m.kind().name());
            }
            for (Value v : m.inputs()) {
                if (v != null && !own.contains(v)) {
                    throw fail(m, "fusion group is not closed: " + v + " is defined outside its block");
                }
            }
            own.addAll(m.outputs());
        }
        for (Value r : b.results()) {
            if (r != null && !own.contains(r)) {
                throw fail(b.returnNode(), "fusion group is not closed: result " + r + " is defined outside its block");
            }
        }
    }

    private static List<ValueType> types(List<Value> vs) {
        List<ValueType> out = new ArrayList<>();
        for (Value v : vs) out.add(v == null ? null : v.type());
        return out;
    }

    private void arity(Node n, int inputs, int outputs) {
        if (n.inputs().size() != inputs || n.outputs().size() != outputs) {
            throw fail(n, "wrong arity: " + n.kind().name() + " takes " + inputs + " input(s) and " + outputs
                    + " output(s), found " + n.inputs().size() + " and " + n.outputs().size());
        }
    }

    private TensorType tensorIn(Node n, int i) {
        Value v = n.input(i);
        if (v == null || !(v.type() instanceof TensorType t)) {
            throw fail(n, "type error: input " + i + " (" + v + ") must be a tensor, found "
                    + (v == null ? "None" : v.type()));
        }
        return t;
    }

    private TensorType tensorOut(Node n) {
        if (!(n.output().type() instanceof TensorType t)) {
            throw fail(n, "type error: " + n.output() + " must be a tensor, found " + n.output().type());
        }
        return t;
    }

    private void declared(Node n, int i, ValueType expected) {
        Value o = n.outputs().get(i);
        if (!o.type().equals(expected)) {
            throw fail(n, "type mismatch: " + o + " is declared " + o.type() + " but " + n.kind().name()
                    + " gives " + expected);
        }
    }

    // ---- error with context ----

    private VerifyException fail(Node n, String message) {
        StringBuilder sb = new StringBuilder("verify: ");
        if (n != null) {
            sb.append(n.kind() instanceof NodeKind.Return ? "return" : IrPrinter.node(n));
            if (!n.source().isEmpty()) sb.append("   # ").append(n.source());
            sb.append("\n  ");
        }
        sb.append(message);
        IrPrinter.Printed printed = IrPrinter.render(graph);
        Integer line = n == null ? null : printed.lineOf().get(n);
        if (line != null) sb.append('\n').append(context(printed.text(), line));
        return new VerifyException(sb.toString(), n);
    }

    private static String context(String text, int line) {
        String[] lines = text.split("\n");
        StringBuilder sb = new StringBuilder();
        for (int i = Math.max(0, line - CONTEXT); i <= Math.min(lines.length - 1, line + CONTEXT); i++) {
            sb.append(i == line ? ">> " : "   ").append(String.format("%4d | ", i + 1)).append(lines[i]).append('\n');
        }
        return sb.toString();
    }
}
