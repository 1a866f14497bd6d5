package dev.kiln.passes.kernel;

import dev.kiln.ir.DType;
import dev.kiln.ir.Op;
import dev.kiln.ir.graph.Block;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.NodeKind;
import dev.kiln.ir.graph.TensorData;
import dev.kiln.ir.graph.Value;
import dev.kiln.ir.sym.SymExpr;
import dev.kiln.ir.type.TensorType;
import dev.kiln.passes.fusion.Fusible;
import dev.kiln.passes.kernel.Expr.Binary;
import dev.kiln.passes.kernel.Expr.BinaryOp;
import dev.kiln.passes.kernel.Expr.Reduce;
import dev.kiln.passes.kernel.Expr.ReduceOp;
import dev.kiln.passes.kernel.Expr.Unary;
import dev.kiln.passes.kernel.Expr.UnaryOp;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Lowers a {@code kiln::fused} or {@code kiln::fused_epilogue} node to a {@link Kernel}. The domain is the group's
 * full shape (a reduction's input shape, else the members' common output shape); the block's parameters become
 * operands in order, then its non-scalar constants; scalar constants become {@link Expr.Const}. Elementwise ops go
 * through {@link ElementwiseLowering}'s table; softmax, log_softmax, layer_norm, sum and mean expand into
 * {@link Expr.Reduce} over the one reduction axis. An epilogue group's anchor stays a library call whose result is
 * one more operand. Anything else fails with a {@link LoweringException} naming the op.
 */
public final class KernelLowering {
    private KernelLowering() {}

    public static LoweredGroup lower(Node fused) {
        if (!(fused.kind() instanceof NodeKind.Fused)) throw new LoweringException(fused + " is not a fusion group");
        Block b = fused.blocks().get(0);
        List<Operand> operands = new ArrayList<>();
        Map<Value, Expr> env = new IdentityHashMap<>();
        for (Value p : b.params()) {
            env.put(p, new Expr.Load(operands.size(), ((TensorType) p.type()).dtype()));
            operands.add(new Operand(p.name(), (TensorType) p.type(), null));
        }
        Node anchor = null;
        int anchorOperand = -1;
        List<SymExpr> domain = null;
        int axis = -1;
        for (Node n : b.nodes()) {
            if (n.kind() instanceof NodeKind.OpCall c && Fusible.ANCHORS.contains(c.op())) {
                if (anchor != null) throw new LoweringException("a group may hold one anchor op, found " + n);
                anchor = n;
                anchorOperand = operands.size();
                TensorType t = (TensorType) n.output().type();
                env.put(n.output(), new Expr.Load(anchorOperand, t.dtype()));
                operands.add(new Operand(n.output().name(), t, null));
                domain = t.shape().dims();
            } else if (Fusible.reductionAxis(n) >= 0) {
                int a = Fusible.reductionAxis(n);
                if (axis >= 0 && a != axis) {
                    throw new LoweringException("a kernel has one reduction axis: " + n + " reduces axis " + a
                            + ", the kernel reduces axis " + axis);
                }
                axis = a;
                domain = ((TensorType) n.input(0).type()).shape().dims();
            } else if (domain == null && Fusible.pointwise(n)) {
                domain = Fusible.shape(n).dims();
            }
        }
        if (domain == null) throw new LoweringException("no elementwise op or reduction in " + fused);
        for (Node n : b.nodes()) {
            if (n == anchor) continue;
            if (n.kind() instanceof NodeKind.Const || n.kind() instanceof NodeKind.ConstRef) {
                env.put(n.output(), constant(n, operands));
            } else {
                env.put(n.output(), op(n, env, domain, axis));
            }
        }
        List<Kernel.Store> stores = new ArrayList<>();
        for (Value r : b.results()) {
            TensorType t = (TensorType) r.type();
            boolean reduced = !t.shape().dims().equals(domain);
            if (reduced && (axis < 0 || t.shape().numel().equals(numel(domain)))) {
                throw new LoweringException("result " + r + " : " + t + " is neither the domain " + domain
                        + " nor a reduction of it");
            }
            stores.add(new Kernel.Store(env.get(r), t, reduced));
        }
        Set<Integer> loaded = new HashSet<>();
        for (Kernel.Store st : stores) loads(st.value(), loaded, Collections.newSetFromMap(new IdentityHashMap<>()));
        for (int i : loaded) checkBroadcast(operands.get(i), domain);
        return new LoweredGroup(anchor, anchorOperand, new Kernel(fused.outputs().get(0).name(), operands, domain,
                axis, stores));
    }

    private static SymExpr numel(List<SymExpr> dims) {
        SymExpr n = SymExpr.of(1);
        for (SymExpr d : dims) n = n.times(d);
        return n;
    }

    private static Expr constant(Node n, List<Operand> operands) {
        TensorType t = (TensorType) n.output().type();
        TensorData d = n.kind() instanceof NodeKind.Const c ? c.data()
                : n.graph().constant(((NodeKind.ConstRef) n.kind()).key());
        if (d.shape().length == 0) {
            Object e = d.element(0);
            double v = e instanceof Boolean bo ? (bo ? 1 : 0) : ((Number) e).doubleValue();
            return new Expr.Const(v, t.dtype());
        }
        operands.add(new Operand(n.output().name(), t, d));
        return new Expr.Load(operands.size() - 1, t.dtype());
    }

    private static Expr op(Node n, Map<Value, Expr> env, List<SymExpr> domain, int axis) {
        NodeKind.OpCall c = (NodeKind.OpCall) n.kind();
        List<Expr> in = new ArrayList<>();
        List<TensorType> types = new ArrayList<>();
        for (Value v : n.inputs()) {
            in.add(v == null ? null : env.get(v));
            types.add(v == null ? null : (TensorType) v.type());
        }
        DType out = ((TensorType) n.output().type()).dtype();
        ElementwiseLowering.Rule rule = ElementwiseLowering.TABLE.get(c.op());
        if (rule != null) return rule.lower(in, c.attrs(), types, out);
        Expr x = in.get(0);
        Expr extent = new Expr.Extent(out);
        switch (c.op()) {
            case SUM -> {
                return new Reduce(ReduceOp.SUM, x, out);
            }
            case MEAN -> {
                return new Binary(BinaryOp.DIV, new Reduce(ReduceOp.SUM, x, out), extent, out, out);
            }
            case SOFTMAX, LOG_SOFTMAX -> {
                Expr shifted = new Binary(BinaryOp.SUB, x, new Reduce(ReduceOp.MAX, x, out), out, out);
                Expr e = new Unary(UnaryOp.EXP, shifted, out);
                Expr sum = new Reduce(ReduceOp.SUM, e, out);
                return c.op() == Op.SOFTMAX ? new Binary(BinaryOp.DIV, e, sum, out, out)
                        : new Binary(BinaryOp.SUB, shifted, new Unary(UnaryOp.LOG, sum, out), out, out);
            }
            case LAYER_NORM -> {
                Expr mean = new Binary(BinaryOp.DIV, new Reduce(ReduceOp.SUM, x, out), extent, out, out);
                Expr d = new Binary(BinaryOp.SUB, x, mean, out, out);
                Expr var = new Binary(BinaryOp.DIV, new Reduce(ReduceOp.SUM, new Binary(BinaryOp.MUL, d, d, out, out),
                        out), extent, out, out);
                Expr inv = new Unary(UnaryOp.RSQRT, new Binary(BinaryOp.ADD, var,
                        new Expr.Const(c.attrs().getFloat("eps"), out), out, out), out);
                Expr y = new Binary(BinaryOp.MUL, d, inv, out, out);
                if (in.get(1) != null) y = new Binary(BinaryOp.MUL, y, in.get(1), out, out);
                if (in.get(2) != null) y = new Binary(BinaryOp.ADD, y, in.get(2), out, out);
                return y;
            }
            default -> throw new LoweringException("the kernel IR has no lowering for " + c.op() + " (" + n + ")");
        }
    }

    /** Collects the operands {@code e} loads (operands only an anchor reads need not fit the domain). */
    private static void loads(Expr e, Set<Integer> out, Set<Expr> seen) {
        if (!seen.add(e)) return;
        if (e instanceof Expr.Load l) out.add(l.operand());
        else if (e instanceof Unary u) loads(u.a(), out, seen);
        else if (e instanceof Binary b) {
            loads(b.a(), out, seen);
            loads(b.b(), out, seen);
        } else if (e instanceof Expr.Select s) {
            loads(s.cond(), out, seen);
            loads(s.a(), out, seen);
            loads(s.b(), out, seen);
        } else if (e instanceof Reduce r) loads(r.body(), out, seen);
    }

    /** An operand's dims must align with the domain's from the right, each equal or 1. */
    private static void checkBroadcast(Operand o, List<SymExpr> domain) {
        List<SymExpr> dims = o.type().shape().dims();
        if (dims.size() > domain.size()) {
            throw new LoweringException("operand " + o.name() + " : " + o.type() + " has more dims than the domain "
                    + domain);
        }
        for (int i = 0; i < dims.size(); i++) {
            SymExpr d = dims.get(i);
            SymExpr want = domain.get(domain.size() - dims.size() + i);
            if (!d.equals(want) && !d.isConstant(1)) {
                throw new LoweringException("operand " + o.name() + " : " + o.type() + " does not broadcast to the "
                        + "domain " + domain + " at dim " + i);
            }
        }
    }
}
