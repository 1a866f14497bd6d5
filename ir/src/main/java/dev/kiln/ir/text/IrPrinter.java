package dev.kiln.ir.text;

import dev.kiln.ir.AttrSpec;
import dev.kiln.ir.DType;
import dev.kiln.ir.TensorParam;
import dev.kiln.ir.graph.Block;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.NodeKind;
import dev.kiln.ir.graph.TensorData;
import dev.kiln.ir.graph.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Prints a {@link Graph} as IR text, the stable form that {@link IrParser} reads back to an equal graph:
 *
 * <pre>
 * graph(%x : f32[B, 784]):
 *   %fc.weight : f32[10, 784] = param["fc.weight"]
 *   %1 : f32[B, 10] = aten::linear(%x, %fc.weight, None)   # fc @ Net.java:12
 *   return (%1)
 * </pre>
 *
 * <p>One node per line, indented two spaces per block level. Attributes equal to their schema default are left
 * out (so every attribute value has one spelling); absent optional tensor inputs print {@code None}; a variadic
 * input prints as a list {@code [%a, %b]}. Sub-blocks follow their node, each with a {@code block(...):} header
 * and its own {@code return}. A node's {@link dev.kiln.ir.graph.SourceInfo} is its trailing comment.
 */
public final class IrPrinter {
    private final StringBuilder sb = new StringBuilder();
    private final Map<Node, Integer> lines = new IdentityHashMap<>();
    private int line;

    private IrPrinter() {}

    /** The IR text of {@code graph}. */
    public static String print(Graph graph) { return render(graph).text(); }

    /** The IR text plus, for each node (return nodes included), the 0-based line it prints on. */
    public static Printed render(Graph graph) {
        IrPrinter p = new IrPrinter();
        p.graph(graph);
        return new Printed(p.sb.toString(), p.lines);
    }

    /** Printed text and the line of each node, for error messages that quote a node in context. */
    public record Printed(String text, Map<Node, Integer> lineOf) {
    }

    private void graph(Graph g) {
        emit("graph(" + params(g.topBlock().params()) + "):");
        body(g.topBlock(), "  ");
    }

    private void body(Block b, String indent) {
        for (Node n : b.nodes()) {
            lines.put(n, line);
            String src = n.source().isEmpty() ? "" : "   # " + n.source();
            emit(indent + node(n) + src);
            for (Block sub : n.blocks()) {
                emit(indent + "  block(" + params(sub.params()) + "):");
                body(sub, indent + "    ");
            }
        }
        lines.put(b.returnNode(), line);
        emit(indent + "return (" + refs(b.results()) + ")");
    }

    private void emit(String s) {
        sb.append(s).append('\n');
        line++;
    }

    /** One node without indentation or comment: {@code %1 : f32[B, 10] = aten::relu(%0)}. */
    public static String node(Node n) {
        StringBuilder out = new StringBuilder();
        if (!n.outputs().isEmpty()) {
            List<String> types = new ArrayList<>();
            for (Value v : n.outputs()) types.add(String.valueOf(v.type()));
            out.append(refs(n.outputs())).append(" : ").append(String.join(", ", types)).append(" = ");
        }
        return out.append(call(n)).toString();
    }

    private static String call(Node n) {
        NodeKind k = n.kind();
        if (k instanceof NodeKind.Param p) return "param[" + quote(p.key()) + "]";
        if (k instanceof NodeKind.Const c) return "const(" + literal(c.data()) + ")";
        if (k instanceof NodeKind.ConstRef r) return "const(@" + r.key() + ")";
        if (k instanceof NodeKind.Size s) return k.name() + "(" + refs(n.inputs()) + ", dim=" + s.dim() + ")";
        if (k instanceof NodeKind.OpCall c) return c.op() + "(" + opArgs(c, n.inputs()) + ")";
        if (k instanceof NodeKind.Scan s) return k.name() + "(" + refs(n.inputs()) + ", dim=" + s.dim() + ")";
        if (k instanceof NodeKind.Guard g) return k.name() + "(" + refs(n.inputs()) + ", expected=" + g.expected() + ")";
        return k.name() + "(" + refs(n.inputs()) + ")";
    }

    private static String opArgs(NodeKind.OpCall call, List<Value> inputs) {
        List<String> args = new ArrayList<>();
        List<TensorParam> params = call.op().schema().inputs();
        int fixed = call.op().schema().isVariadic() ? params.size() - 1 : inputs.size();
        for (int i = 0; i < Math.min(fixed, inputs.size()); i++) args.add(ref(inputs.get(i)));
        if (call.op().schema().isVariadic()) {
            args.add("[" + refs(inputs.subList(Math.min(fixed, inputs.size()), inputs.size())) + "]");
        }
        for (Map.Entry<String, Object> e : call.attrs().asMap().entrySet()) {
            AttrSpec spec = call.op().schema().attr(e.getKey());
            if (isDefault(spec, e.getValue())) continue;
            args.add(e.getKey() + "=" + attrValue(e.getValue()));
        }
        return String.join(", ", args);
    }

    private static boolean isDefault(AttrSpec spec, Object v) {
        Object d = spec.defaultValue();
        if (d instanceof long[] a && v instanceof long[] b) return Arrays.equals(a, b);
        if (d instanceof double[] a && v instanceof double[] b) return Arrays.equals(a, b);
        return Objects.equals(d, v);
    }

    /** An attribute value as IR text: {@code 1}, {@code 0.5}, {@code true}, {@code "tanh"}, {@code f32}, {@code [1, 1]}. */
    static String attrValue(Object v) {
        if (v instanceof long[] a) return Arrays.toString(a);
        if (v instanceof double[] d) return Arrays.toString(d);
        if (v instanceof List<?> symbolicShape) return symbolicShape.toString();
        if (v instanceof String s) return quote(s);
        if (v instanceof DType t) return t.irName();
        return String.valueOf(v);
    }

    /** A constant's elements: a bare scalar for a 0-d tensor, else a flat row-major list. */
    static String literal(TensorData d) {
        if (d.shape().length == 0) return d.elementText(0);
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < d.numel(); i++) {
            if (i > 0) sb.append(", ");
            sb.append(d.elementText(i));
        }
        return sb.append(']').toString();
    }

    static String quote(String s) { return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"'; }

    private static String params(List<Value> params) {
        List<String> out = new ArrayList<>();
        for (Value v : params) out.add(v + " : " + v.type());
        return String.join(", ", out);
    }

    private static String ref(Value v) { return v == null ? "None" : v.toString(); }

    private static String refs(List<Value> values) {
        List<String> out = new ArrayList<>();
        for (Value v : values) out.add(ref(v));
        return String.join(", ", out);
    }
}
