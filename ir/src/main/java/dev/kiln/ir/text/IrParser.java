package dev.kiln.ir.text;

import dev.kiln.ir.AttrSpec;
import dev.kiln.ir.Attrs;
import dev.kiln.ir.DType;
import dev.kiln.ir.Op;
import dev.kiln.ir.graph.Block;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.NodeKind;
import dev.kiln.ir.graph.SourceInfo;
import dev.kiln.ir.graph.TensorData;
import dev.kiln.ir.graph.Value;
import dev.kiln.ir.sym.SymExpr;
import dev.kiln.ir.type.Shape;
import dev.kiln.ir.type.SymIntType;
import dev.kiln.ir.type.TensorType;
import dev.kiln.ir.type.ValueType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads IR text (the form {@link IrPrinter} writes) into a {@link Graph}. The grammar is in {@code docs/ir.md}.
 *
 * <p>Parsing is syntactic: values may be referred to before the line that defines them (the graph is built first
 * and references are resolved at the end), so use-before-definition, arity and type errors are left to
 * {@code GraphVerifier}, which reports them against the node. The parser itself rejects what it cannot build: bad
 * syntax, unknown ops, unknown or ill-typed attributes, a name defined twice, a name never defined, and constant
 * literals that do not fit their type. Every error names {@code line:column} and what was expected.
 */
public final class IrParser {
    private final String src;
    private final List<Token> tokens;
    private final Map<String, TensorData> constants;
    private int pos;
    private Graph graph;
    private final Map<String, Value> defined = new HashMap<>();
    private final Map<String, Token> definedAt = new HashMap<>();
    private final List<PendingRef> pending = new ArrayList<>();

    /** A use to resolve once every definition is known: input {@code index} of {@code node}. */
    private record PendingRef(Node node, int index, Token name) {
    }

    /** Block results to resolve at the end. */
    private final List<Map.Entry<Block, List<Token>>> pendingResults = new ArrayList<>();

    private IrParser(String src, Map<String, TensorData> constants) {
        this.src = src;
        this.tokens = Lexer.tokenize(src);
        this.constants = constants;
    }

    /** Parses a graph that refers to no table constants. */
    public static Graph parse(String text) { return parse(text, Map.of()); }

    /** Parses a graph whose {@code const(@key)} nodes refer to {@code constants}, which are copied into it. */
    public static Graph parse(String text, Map<String, TensorData> constants) {
        return new IrParser(text, constants).graph();
    }

    /** Parses a value type alone, e.g. {@code f32[B*16, 3]} or {@code int(B)}. */
    public static ValueType parseType(String text) {
        IrParser p = new IrParser(text, Map.of());
        ValueType t = p.type();
        p.expectEnd();
        return t;
    }

    /** Parses a dimension expression alone, e.g. {@code 16*B} or {@code floordiv(H+1, 2)}. */
    public static SymExpr parseDim(String text) {
        IrParser p = new IrParser(text, Map.of());
        SymExpr e = p.dim();
        p.expectEnd();
        return e;
    }

    private void expectEnd() {
        if (peek().kind() == Token.Kind.NEWLINE) pos++;
        if (peek().kind() != Token.Kind.EOF) throw expected(peek(), "end of input");
    }

    // ---- graph structure ----

    private Graph graph() {
        graph = new Graph();
        expectIdent("graph");
        for (Map.Entry<String, TensorData> e : constants.entrySet()) graph.putConstant(e.getKey(), e.getValue());
        params(graph.topBlock());
        expectNewline();
        body(graph.topBlock());
        if (peek().kind() != Token.Kind.EOF) throw expected(peek(), "end of input after the graph's return");
        for (PendingRef r : pending) graph.setInput(r.node(), r.index(), resolve(r.name()));
        for (Map.Entry<Block, List<Token>> e : pendingResults) {
            List<Value> vs = new ArrayList<>();
            for (Token t : e.getValue()) vs.add(resolve(t));
            graph.setResults(e.getKey(), vs);
        }
        return graph;
    }

    /** {@code (%a : T, ...) :} */
    private void params(Block block) {
        expect("(");
        if (!peek().is(")")) {
            do {
                Token name = expectKind(Token.Kind.VALUE, "a parameter '%name'");
                expect(":");
                define(name, graph.addParameter(block, name.text(), type()));
            } while (accept(","));
        }
        expect(")");
        expect(":");
    }

    private void body(Block block) {
        while (!peek().is("return")) {
            if (peek().kind() == Token.Kind.EOF) throw expected(peek(), "a node or 'return'");
            node(block);
        }
        next();
        expect("(");
        List<Token> results = new ArrayList<>();
        if (!peek().is(")")) {
            do results.add(expectKind(Token.Kind.VALUE, "a value '%name'")); while (accept(","));
        }
        expect(")");
        expectNewline();
        pendingResults.add(Map.entry(block, results));
    }

    private void node(Block block) {
        List<Token> defs = new ArrayList<>();
        List<ValueType> types = new ArrayList<>();
        Token start = peek();
        if (peek().kind() == Token.Kind.VALUE) {
            do defs.add(expectKind(Token.Kind.VALUE, "a value '%name'")); while (accept(","));
            expect(":");
            do types.add(type()); while (accept(","));
            if (types.size() != defs.size()) {
                throw fail(start, "expected " + defs.size() + " types for " + defs.size() + " values, found " + types.size()
                        + " types");
            }
            expect("=");
        }
        Call call = call(types);
        SourceInfo source = SourceInfo.NONE;
        if (peek().kind() == Token.Kind.COMMENT) source = sourceInfo(next());
        expectNewline();
        String[] names = new String[defs.size()];
        for (int i = 0; i < names.length; i++) {
            names[i] = defs.get(i).text();
            checkFresh(defs.get(i));
        }
        int blocks = call.kind instanceof NodeKind.Cond ? 2
                : call.kind instanceof NodeKind.Scan || call.kind instanceof NodeKind.Fused ? 1 : 0;
        List<Value> noInputs = new ArrayList<>();
        for (int i = 0; i < call.inputs.size(); i++) noInputs.add(null);
        Node n = graph.create(call.kind).inputs(noInputs).outputs(types).names(names).source(source).blocks(blocks)
                .appendTo(block);
        for (int i = 0; i < defs.size(); i++) define(defs.get(i), n.outputs().get(i));
        for (int i = 0; i < call.inputs.size(); i++) {
            if (call.inputs.get(i) != null) pending.add(new PendingRef(n, i, call.inputs.get(i)));
        }
        for (Block b : n.blocks()) {
            expectIdent("block");
            params(b);
            expectNewline();
            body(b);
        }
        if (peek().is("block")) throw expected(peek(), "a node (" + call.kind.name() + " has " + blocks + " blocks)");
    }

    /** A parsed call: the node kind and its input references (null for {@code None}). */
    private record Call(NodeKind kind, List<Token> inputs) {
    }

    private Call call(List<ValueType> types) {
        Token name = expectKind(Token.Kind.IDENT, "an op name");
        List<Token> inputs = new ArrayList<>();
        switch (name.text()) {
            case "param" -> {
                expect("[");
                Token key = expectKind(Token.Kind.STRING, "a parameter key string");
                expect("]");
                try {
                    return new Call(new NodeKind.Param(key.text()), inputs);
                } catch (IllegalArgumentException e) {
                    throw fail(key, e.getMessage());
                }
            }
            case "const" -> {
                expect("(");
                NodeKind k = constant(types, name);
                expect(")");
                return new Call(k, inputs);
            }
            case "aten::size" -> {
                expect("(");
                inputs.add(expectKind(Token.Kind.VALUE, "a tensor value"));
                expect(",");
                expectIdent("dim");
                expect("=");
                long dim = integer();
                expect(")");
                return new Call(new NodeKind.Size(dim), inputs);
            }
            case "kiln::cond" -> {
                expect("(");
                do inputs.add(expectKind(Token.Kind.VALUE, "a value")); while (accept(","));
                expect(")");
                return new Call(new NodeKind.Cond(), inputs);
            }
            case "kiln::scan" -> {
                expect("(");
                inputs.add(expectKind(Token.Kind.VALUE, "the scanned tensor"));
                expect(",");
                inputs.add(expectKind(Token.Kind.VALUE, "the initial carry"));
                expect(",");
                expectIdent("dim");
                expect("=");
                long dim = integer();
                expect(")");
                return new Call(new NodeKind.Scan(dim), inputs);
            }
            case "kiln::fused", "kiln::fused_epilogue" -> {
                expect("(");
                if (!accept(")")) {
                    do inputs.add(expectKind(Token.Kind.VALUE, "a value")); while (accept(","));
                    expect(")");
                }
                return new Call(new NodeKind.Fused(name.text().equals("kiln::fused") ? NodeKind.Fused.Group.LOOP
                        : NodeKind.Fused.Group.EPILOGUE), inputs);
            }
            case "kiln::guard" -> {
                expect("(");
                inputs.add(expectKind(Token.Kind.VALUE, "the guarded tensor"));
                expect(",");
                expectIdent("expected");
                expect("=");
                Object expected = scalar();
                expect(")");
                return new Call(new NodeKind.Guard(expected), inputs);
            }
            default -> {
                return opCall(name, inputs);
            }
        }
    }

    private Call opCall(Token name, List<Token> inputs) {
        Op op;
        try {
            op = Op.byName(name.text());
        } catch (IllegalArgumentException e) {
            throw fail(name, "expected a known op (aten::..., kiln::..., param, const), found unknown op '" + name.text()
                    + "'");
        }
        expect("(");
        Attrs.Builder attrs = Attrs.of(op);
        boolean keywords = false;
        if (!peek().is(")")) {
            do {
                Token t = peek();
                if (t.kind() == Token.Kind.IDENT && peekAt(1).is("=")) {
                    keywords = true;
                    attribute(op, attrs);
                } else if (keywords) {
                    throw expected(t, "an attribute 'name=value' (tensor inputs come first)");
                } else if (accept("[")) {
                    if (!peek().is("]")) {
                        do inputs.add(expectKind(Token.Kind.VALUE, "a tensor value")); while (accept(","));
                    }
                    expect("]");
                } else if (t.is("None")) {
                    next();
                    inputs.add(null);
                } else {
                    inputs.add(expectKind(Token.Kind.VALUE, "a tensor value, None, or name=value"));
                }
            } while (accept(","));
        }
        Token close = peek();
        expect(")");
        try {
            return new Call(new NodeKind.OpCall(op, attrs.build()), inputs);
        } catch (IllegalArgumentException e) {
            throw fail(close, e.getMessage());
        }
    }

    private void attribute(Op op, Attrs.Builder attrs) {
        Token name = next();
        expect("=");
        AttrSpec spec = op.schema().attr(name.text());
        if (spec == null) {
            throw fail(name, "expected an attribute of " + op + ", found unknown attribute '" + name.text() + "'");
        }
        Token at = peek();
        Object value = switch (spec.type()) {
            case INT -> integer();
            case FLOAT -> floating();
            case BOOL -> bool();
            case STRING -> expectKind(Token.Kind.STRING, "a string").text();
            case DTYPE -> dtype();
            case SCALAR -> scalar();
            case INT_LIST -> intList();
            case SHAPE -> shapeList();
            case FLOAT_LIST -> floatList();
        };
        try {
            attrs.set(name.text(), value);
        } catch (IllegalArgumentException e) {
            throw fail(at, e.getMessage());
        }
    }

    /** {@code const(literal)} or {@code const(@key)}; the literal is read against the declared type. */
    private NodeKind constant(List<ValueType> types, Token at) {
        if (peek().kind() == Token.Kind.CONST_KEY) {
            Token key = next();
            if (!constants.containsKey(key.text())) {
                throw fail(key, "expected a key of the constant table given to the parser, found unknown constant '@"
                        + key.text() + "'");
            }
            return new NodeKind.ConstRef(key.text());
        }
        if (types.size() != 1 || !(types.get(0) instanceof TensorType t) || !t.shape().isStatic()) {
            throw fail(at, "expected one static tensor type declared for a constant");
        }
        long[] shape = t.shape().toLongs();
        List<Object> elems = new ArrayList<>();
        if (shape.length == 0) {
            elems.add(element(t.dtype()));
        } else {
            expect("[");
            if (!peek().is("]")) {
                do elems.add(element(t.dtype())); while (accept(","));
            }
            Token close = peek();
            expect("]");
            long numel = t.shape().numel().constant();
            if (elems.size() != numel) {
                throw fail(close, "expected " + numel + " elements for " + t + ", found " + elems.size());
            }
        }
        return new NodeKind.Const(TensorData.of(t.dtype(), shape, toArray(t.dtype(), elems)));
    }

    private Object element(DType d) {
        return switch (d) {
            case BOOL -> bool();
            case INT32, INT64 -> integer();
            // f32 elements parse as floats: Float.toString's shortest form reads back exactly that way.
            case FLOAT32 -> (double) Float.parseFloat(number());
            case FLOAT64 -> floating();
        };
    }

    private static Object toArray(DType d, List<Object> elems) {
        int n = elems.size();
        switch (d) {
            case BOOL -> {
                boolean[] a = new boolean[n];
                for (int i = 0; i < n; i++) a[i] = (Boolean) elems.get(i);
                return a;
            }
            case INT32 -> {
                int[] a = new int[n];
                for (int i = 0; i < n; i++) a[i] = Math.toIntExact((Long) elems.get(i));
                return a;
            }
            case INT64 -> {
                long[] a = new long[n];
                for (int i = 0; i < n; i++) a[i] = (Long) elems.get(i);
                return a;
            }
            case FLOAT32 -> {
                float[] a = new float[n];
                for (int i = 0; i < n; i++) a[i] = (float) (double) (Double) elems.get(i);
                return a;
            }
            default -> {
                double[] a = new double[n];
                for (int i = 0; i < n; i++) a[i] = (Double) elems.get(i);
                return a;
            }
        }
    }

    /** {@code # path @ File.java:42}, {@code # path} or {@code # @ File.java:42}. */
    private SourceInfo sourceInfo(Token comment) {
        String body = comment.text();
        int at = body.indexOf('@');
        String path = (at < 0 ? body : body.substring(0, at)).trim();
        try {
            if (at < 0) return SourceInfo.module(path);
            String loc = body.substring(at + 1).trim();
            int colon = loc.lastIndexOf(':');
            if (colon <= 0) throw new IllegalArgumentException("expected 'File.java:line' after '@', found '" + loc + "'");
            return new SourceInfo(path, loc.substring(0, colon), Integer.parseInt(loc.substring(colon + 1)));
        } catch (IllegalArgumentException e) {
            throw fail(comment, "expected a source comment '# module.path @ File.java:line': " + e.getMessage());
        }
    }

    // ---- types and dims ----

    private ValueType type() {
        Token t = expectKind(Token.Kind.IDENT, "a type (f32[...], i64[...], int(...))");
        if (t.text().equals("int")) {
            expect("(");
            SymExpr e = dim();
            expect(")");
            return new SymIntType(e);
        }
        DType dtype;
        try {
            dtype = DType.parse(t.text());
        } catch (IllegalArgumentException e) {
            throw fail(t, "expected a type (bool, i32, i64, f32, f64 or int), found '" + t.text() + "'");
        }
        expect("[");
        List<SymExpr> dims = new ArrayList<>();
        if (!peek().is("]")) {
            do {
                Token at = peek();
                SymExpr d = dim();
                if (d.isConstant() && d.constant() < 0) throw fail(at, "expected a non-negative size, found " + d);
                dims.add(d);
            } while (accept(","));
        }
        expect("]");
        boolean wrapped = false;
        if (accept("{")) {
            expectIdent("wrapped");
            expect("}");
            wrapped = true;
            if (!dims.isEmpty()) throw fail(t, "expected a 0-d type for a wrapped number, found " + Shape.of(dims));
        }
        return new TensorType(dtype, Shape.of(dims), wrapped);
    }

    /** {@code sum := product (('+'|'-') product)*}. */
    private SymExpr dim() {
        SymExpr e = product();
        while (true) {
            if (accept("+")) e = e.plus(product());
            else if (accept("-")) e = e.minus(product());
            else return e;
        }
    }

    /** {@code product := unary ('*' unary)*}. */
    private SymExpr product() {
        SymExpr e = unary();
        while (accept("*")) e = e.times(unary());
        return e;
    }

    /** {@code unary := '-' unary | INT | SYMBOL | 'floordiv' '(' sum ',' INT ')' | '(' sum ')'}. */
    private SymExpr unary() {
        Token t = peek();
        if (accept("-")) return unary().negate();
        if (accept("(")) {
            SymExpr e = dim();
            expect(")");
            return e;
        }
        if (t.kind() == Token.Kind.INT) return SymExpr.of(integer());
        if (t.is("floordiv")) {
            next();
            expect("(");
            SymExpr num = dim();
            expect(",");
            Token dt = peek();
            long d = integer();
            if (d <= 0) throw fail(dt, "expected a positive constant divisor, found " + d);
            expect(")");
            return num.floorDiv(d);
        }
        if (t.kind() == Token.Kind.IDENT && SymExpr.isIdentifier(t.text())) {
            next();
            return SymExpr.symbol(t.text());
        }
        throw expected(t, "a size (integer, symbol, floordiv(...) or parenthesised expression)");
    }

    // ---- literals ----

    private long integer() {
        Token at = peek();
        boolean neg = accept("-");
        Token t = expectKind(Token.Kind.INT, "an integer");
        try {
            return Long.parseLong((neg ? "-" : "") + t.text());
        } catch (NumberFormatException e) {
            throw fail(at, "expected an integer in the range of a 64-bit long, found " + t.text());
        }
    }

    private double floating() { return Double.parseDouble(number()); }

    /** The text of a possibly signed number, {@code NaN} or {@code Infinity}, in Java's parse syntax. */
    private String number() {
        boolean neg = accept("-");
        Token t = next();
        if (!(t.kind() == Token.Kind.INT || t.kind() == Token.Kind.FLOAT || t.is("NaN") || t.is("Infinity"))) {
            throw expected(t, "a number");
        }
        return (neg ? "-" : "") + t.text();
    }

    private boolean bool() {
        Token t = next();
        if (t.is("true")) return true;
        if (t.is("false")) return false;
        throw expected(t, "true or false");
    }

    private DType dtype() {
        Token t = expectKind(Token.Kind.IDENT, "a dtype");
        try {
            return DType.parse(t.text());
        } catch (IllegalArgumentException e) {
            throw fail(t, "expected a dtype (bool, i32, i64, f32, f64), found '" + t.text() + "'");
        }
    }

    /** A Scalar: {@code true}/{@code false}, an integer (Long) or a float (Double; has '.', 'E', NaN or Infinity). */
    private Object scalar() {
        Token t = peek();
        if (t.is("true") || t.is("false")) return bool();
        Token num = t.is("-") ? peekAt(1) : t;
        if (num.kind() == Token.Kind.INT) return integer();
        return floating();
    }

    private long[] intList() {
        expect("[");
        List<Long> v = new ArrayList<>();
        if (!peek().is("]")) {
            do v.add(integer()); while (accept(","));
        }
        expect("]");
        return v.stream().mapToLong(Long::longValue).toArray();
    }

    /** A SHAPE: {@code [B, -1, 16]}, whose entries may be symbolic sizes (or -1). */
    private List<SymExpr> shapeList() {
        expect("[");
        List<SymExpr> v = new ArrayList<>();
        if (!peek().is("]")) {
            do v.add(dim()); while (accept(","));
        }
        expect("]");
        return v;
    }

    private double[] floatList() {
        expect("[");
        List<Double> v = new ArrayList<>();
        if (!peek().is("]")) {
            do v.add(floating()); while (accept(","));
        }
        expect("]");
        return v.stream().mapToDouble(Double::doubleValue).toArray();
    }

    // ---- names ----

    private void checkFresh(Token name) {
        Token prev = definedAt.get(name.text());
        if (prev != null) {
            throw fail(name, "expected a new value name, found %" + name.text() + " already defined at " + prev.line() + ":"
                    + prev.column());
        }
    }

    private void define(Token name, Value v) {
        checkFresh(name);
        defined.put(name.text(), v);
        definedAt.put(name.text(), name);
    }

    private Value resolve(Token name) {
        Value v = defined.get(name.text());
        if (v == null) throw fail(name, "expected a defined value, found undefined value %" + name.text());
        return v;
    }

    // ---- token plumbing ----

    private Token peek() { return tokens.get(pos); }

    private Token peekAt(int k) { return tokens.get(Math.min(pos + k, tokens.size() - 1)); }

    private Token next() {
        Token t = tokens.get(pos);
        if (t.kind() != Token.Kind.EOF) pos++;
        return t;
    }

    private boolean accept(String punct) {
        if (peek().is(punct)) {
            pos++;
            return true;
        }
        return false;
    }

    private void expect(String punct) {
        if (!accept(punct)) throw expected(peek(), "'" + punct + "'");
    }

    private void expectIdent(String word) {
        if (!peek().is(word)) throw expected(peek(), "'" + word + "'");
        pos++;
    }

    private Token expectKind(Token.Kind kind, String what) {
        if (peek().kind() != kind) throw expected(peek(), what);
        return next();
    }

    private void expectNewline() {
        if (peek().kind() == Token.Kind.COMMENT) throw expected(peek(), "end of line");
        if (peek().kind() != Token.Kind.NEWLINE && peek().kind() != Token.Kind.EOF) throw expected(peek(), "end of line");
        next();
    }

    /** "expected {what}, found {token}". */
    private ParseException expected(Token at, String what) {
        return fail(at, "expected " + what + ", found " + at.describe());
    }

    /** An error at {@code at} with the message in full. */
    private ParseException fail(Token at, String message) {
        String[] lines = src.split("\n", -1);
        String line = at.line() - 1 < lines.length ? lines[at.line() - 1] : null;
        return new ParseException(at.line(), at.column(), message, line);
    }
}
