package dev.kiln.passes.kernel;

import dev.kiln.ir.sym.SymExpr;
import dev.kiln.ir.type.TensorType;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A loop-level kernel, the form fusion groups lower to and both code generators consume ("Kernel IR" in
 * DESIGN.md): an iteration domain (one point per element of the group's full shape), operands read with
 * broadcasting, a scalar expression DAG, and at most one reduction axis. A store writes an expression either at
 * every point (a full-shape output) or, when {@code reduced}, once per point of the domain without the reduction
 * axis (a sum or mean result; {@link Expr.Reduce} values are constant along that axis).
 *
 * @param domain        the iteration shape
 * @param reductionAxis the reduced axis of {@code domain}, or -1
 */
public record Kernel(String name, List<Operand> operands, List<SymExpr> domain, int reductionAxis,
                     List<Store> stores) {
    public Kernel {
        operands = List.copyOf(operands);
        domain = List.copyOf(domain);
        stores = List.copyOf(stores);
    }

    /** One output: {@code value} written to a tensor of {@code type}. */
    public record Store(Expr value, TensorType type, boolean reduced) {
    }

    /** Text for people: operands, domain, then the DAG one node per line and the stores. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("kernel ").append(name).append(" domain ").append(domain);
        if (reductionAxis >= 0) sb.append(" reduce axis ").append(reductionAxis);
        sb.append('\n');
        for (int i = 0; i < operands.size(); i++) {
            Operand o = operands.get(i);
            sb.append("  in").append(i).append(" : ").append(o.type()).append(o.constant() != null ? " const" : "")
                    .append('\n');
        }
        Map<Expr, String> ids = new IdentityHashMap<>();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < stores.size(); i++) {
            Store s = stores.get(i);
            String v = id(s.value(), ids, lines);
            lines.add("out" + i + " : " + s.type() + (s.reduced() ? " reduced" : "") + " = " + v);
        }
        for (String l : lines) sb.append("  ").append(l).append('\n');
        return sb.toString();
    }

    private static String id(Expr e, Map<Expr, String> ids, List<String> lines) {
        String known = ids.get(e);
        if (known != null) return known;
        String body;
        if (e instanceof Expr.Load l) body = "load in" + l.operand();
        else if (e instanceof Expr.Const c) body = "const " + c.value();
        else if (e instanceof Expr.Extent) body = "extent";
        else if (e instanceof Expr.Unary u) {
            body = u.op().name().toLowerCase() + "(" + id(u.a(), ids, lines) + (u.param() != 0 ? ", " + u.param() : "")
                    + ")";
        } else if (e instanceof Expr.Binary b) {
            body = b.op().name().toLowerCase() + "(" + id(b.a(), ids, lines) + ", " + id(b.b(), ids, lines) + ")";
        } else if (e instanceof Expr.Select s) {
            body = "select(" + id(s.cond(), ids, lines) + ", " + id(s.a(), ids, lines) + ", " + id(s.b(), ids, lines)
                    + ")";
        } else {
            Expr.Reduce r = (Expr.Reduce) e;
            body = "reduce_" + r.op().name().toLowerCase() + "(" + id(r.body(), ids, lines) + ")";
        }
        String id = "%" + ids.size();
        ids.put(e, id);
        lines.add(id + " : " + e.dtype().irName() + " = " + body);
        return id;
    }
}
