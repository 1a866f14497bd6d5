package dev.kiln.ir;

import dev.kiln.ir.sym.SymExpr;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The attribute values of one op call, checked against the op's {@link OpSchema}.
 *
 * <p>Invariant: every key is an attribute of the schema, every value has the Java type its {@link AttrType}
 * prescribes ({@code INT} → {@link Long}, {@code FLOAT} → {@link Double}, {@code BOOL} → {@link Boolean},
 * {@code STRING} → {@link String}, {@code DTYPE} → {@link DType}, {@code INT_LIST}/{@code SHAPE} → {@code long[]},
 * {@code FLOAT_LIST} → {@code double[]}, {@code SCALAR} → {@link Long}, {@link Double} or {@link Boolean}), and
 * defaults are filled in. Absent optional attributes are absent from the map. Arrays are never mutated.
 *
 * <p>A {@code SHAPE} attribute of a traced graph may hold symbolic sizes ({@code view(size=[B, -1])}): then its
 * value is an unmodifiable {@code List<SymExpr>} with at least one non-constant entry (all-constant lists are
 * stored as {@code long[]}, so each value has one representation). {@link #getInts} refuses a symbolic value;
 * {@link #getShape} reads both forms, and {@link #evaluate} binds the symbols to give the concrete attributes a
 * kernel needs.
 */
public final class Attrs {
    private final Op op;
    private final Map<String, Object> values;

    private Attrs(Op op, Map<String, Object> values) {
        this.op = op;
        this.values = values;
    }

    /** Starts a set of attributes for {@code op}. */
    public static Builder of(Op op) { return new Builder(op); }

    /** The attributes of an op called with no explicit attributes (defaults only). */
    public static Attrs defaults(Op op) { return new Builder(op).build(); }

    public Op op() { return op; }

    public boolean has(String name) { return values.containsKey(name); }

    /** All values, in schema order; unmodifiable. */
    public Map<String, Object> asMap() { return Collections.unmodifiableMap(values); }

    public long getInt(String name) { return (Long) require(name); }

    public double getFloat(String name) { return (Double) require(name); }

    public boolean getBool(String name) { return (Boolean) require(name); }

    public String getString(String name) { return (String) require(name); }

    public DType getDType(String name) { return (DType) require(name); }

    /** An {@code INT_LIST} or {@code SHAPE} attribute. The array is shared: do not modify it. */
    public long[] getInts(String name) {
        Object v = require(name);
        if (v instanceof List<?> l) {
            throw new IllegalStateException(op + ": attribute '" + name + "' is symbolic " + l
                    + "; evaluate the attributes under the symbols' values first");
        }
        return (long[]) v;
    }

    /** A {@code SHAPE} (or {@code INT_LIST}) attribute as sizes, symbolic or not. */
    @SuppressWarnings("unchecked")
    public List<SymExpr> getShape(String name) {
        Object v = require(name);
        if (v instanceof List<?> l) return (List<SymExpr>) l;
        List<SymExpr> out = new ArrayList<>();
        for (long x : (long[]) v) out.add(SymExpr.of(x));
        return out;
    }

    /** Whether some attribute holds symbolic sizes. */
    public boolean isSymbolic() {
        for (Object v : values.values()) if (v instanceof List) return true;
        return false;
    }

    /** These attributes with every symbolic size evaluated under {@code bindings}; {@code this} if none is symbolic. */
    public Attrs evaluate(java.util.Map<String, Long> bindings) {
        if (!isSymbolic()) return this;
        Map<String, Object> out = new LinkedHashMap<>(values);
        for (Map.Entry<String, Object> e : out.entrySet()) {
            if (e.getValue() instanceof List<?> l) {
                long[] a = new long[l.size()];
                for (int i = 0; i < a.length; i++) a[i] = ((SymExpr) l.get(i)).eval(bindings);
                e.setValue(a);
            }
        }
        return new Attrs(op, out);
    }

    /** A {@code SCALAR} attribute as a Java number ({@link Long}, {@link Double}) or {@link Boolean}. */
    public Object getScalar(String name) { return require(name); }

    /** A {@code SCALAR} attribute as a double (booleans are 0 or 1). */
    public double getScalarAsDouble(String name) {
        Object v = require(name);
        if (v instanceof Boolean b) return b ? 1 : 0;
        return ((Number) v).doubleValue();
    }

    /** An optional attribute, or {@code null} when absent. */
    public Object getOrNull(String name) {
        checkKnown(name);
        return values.get(name);
    }

    private Object require(String name) {
        checkKnown(name);
        Object v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException(op + ": attribute '" + name + "' has no value");
        }
        return v;
    }

    private void checkKnown(String name) {
        if (op.schema().attr(name) == null) {
            throw new IllegalArgumentException(op + " has no attribute '" + name + "'; it has " + attrNames(op));
        }
    }

    private static String attrNames(Op op) {
        StringBuilder sb = new StringBuilder("[");
        for (AttrSpec a : op.schema().attrs()) {
            if (sb.length() > 1) sb.append(", ");
            sb.append(a.name());
        }
        return sb.append(']').toString();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Attrs other) || other.op != op || other.values.size() != values.size()) return false;
        for (Map.Entry<String, Object> e : values.entrySet()) {
            if (!valueEquals(e.getValue(), other.values.get(e.getKey()))) return false;
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = op.hashCode();
        for (Map.Entry<String, Object> e : values.entrySet()) {
            Object v = e.getValue();
            int vh = v instanceof long[] a ? Arrays.hashCode(a) : v instanceof double[] d ? Arrays.hashCode(d)
                    : v.hashCode();
            h = 31 * h + e.getKey().hashCode() * 17 + vh;
        }
        return h;
    }

    private static boolean valueEquals(Object a, Object b) {
        if (a instanceof long[] x && b instanceof long[] y) return Arrays.equals(x, y);
        if (a instanceof double[] x && b instanceof double[] y) return Arrays.equals(x, y);
        return a.equals(b);
    }

    /** Renders values as IR text does: {@code dim=1, keepdim=false}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Object> e : values.entrySet()) {
            if (sb.length() > 0) sb.append(", ");
            sb.append(e.getKey()).append('=').append(format(e.getValue()));
        }
        return sb.toString();
    }

    static String format(Object v) {
        if (v instanceof long[] a) return Arrays.toString(a);
        if (v instanceof double[] d) return Arrays.toString(d);
        if (v instanceof String s) return '"' + s + '"';
        if (v instanceof DType t) return t.irName();
        return String.valueOf(v);
    }

    /**
     * A SHAPE value given as sizes that may be symbolic ({@code SymExpr}, {@code Long} or {@code Integer} entries):
     * {@code long[]} when every entry is a constant, else an unmodifiable list of {@link SymExpr}.
     */
    private static Object shapeOf(List<?> entries) {
        List<SymExpr> out = new ArrayList<>();
        boolean constant = true;
        for (Object o : entries) {
            SymExpr e = o instanceof SymExpr x ? x : o instanceof Integer || o instanceof Long
                    ? SymExpr.of(((Number) o).longValue()) : null;
            if (e == null) return null;
            constant &= e.isConstant();
            out.add(e);
        }
        if (!constant) return List.copyOf(out);
        long[] a = new long[out.size()];
        for (int i = 0; i < a.length; i++) a[i] = out.get(i).constant();
        return a;
    }

    /** Collects attribute values, checking each against the schema as it is set. */
    public static final class Builder {
        private final Op op;
        private final Map<String, Object> values = new LinkedHashMap<>();

        private Builder(Op op) { this.op = op; }

        /**
         * Sets an attribute. Accepts the natural Java forms: {@code int}/{@code long} for INT, any number for
         * FLOAT, {@code int[]}/{@code long[]} for INT_LIST and SHAPE, and for SHAPE also a {@code List} of
         * {@link SymExpr} (or numbers). {@code null} leaves it unset (absent or default).
         */
        public Builder set(String name, Object value) {
            AttrSpec spec = op.schema().attr(name);
            if (spec == null) {
                throw new IllegalArgumentException(op + " has no attribute '" + name + "'; it has " + attrNames(op));
            }
            if (value == null) return this;
            values.put(name, coerce(spec, value));
            return this;
        }

        public Attrs build() {
            Map<String, Object> out = new LinkedHashMap<>();
            for (AttrSpec spec : op.schema().attrs()) {
                Object v = values.get(spec.name());
                if (v == null) v = spec.defaultValue();
                if (v == null && spec.isRequired()) {
                    throw new IllegalArgumentException(op + ": required attribute '" + spec.name() + "' ("
                            + spec.type() + ") is missing");
                }
                if (v != null) out.put(spec.name(), v);
            }
            return new Attrs(op, out);
        }

        private Object coerce(AttrSpec spec, Object v) {
            Object out = switch (spec.type()) {
                case INT -> v instanceof Integer || v instanceof Long ? ((Number) v).longValue() : null;
                case FLOAT -> v instanceof Number n ? n.doubleValue() : null;
                case BOOL -> v instanceof Boolean ? v : null;
                case STRING -> v instanceof String ? v : null;
                case DTYPE -> v instanceof DType ? v : null;
                case INT_LIST -> v instanceof long[] a ? a.clone()
                        : v instanceof int[] a ? Arrays.stream(a).asLongStream().toArray() : null;
                case SHAPE -> v instanceof long[] a ? a.clone()
                        : v instanceof int[] a ? Arrays.stream(a).asLongStream().toArray()
                        : v instanceof List<?> l ? shapeOf(l) : null;
                case FLOAT_LIST -> v instanceof double[] d ? d.clone() : null;
                case SCALAR -> v instanceof Integer || v instanceof Long ? (Object) ((Number) v).longValue()
                        : v instanceof Float || v instanceof Double ? (Object) ((Number) v).doubleValue()
                        : v instanceof Boolean ? v : null;
            };
            if (out == null) {
                throw new IllegalArgumentException(op + ": attribute '" + spec.name() + "' expects " + spec.type()
                        + " but got " + v.getClass().getSimpleName() + " " + format(v));
            }
            return out;
        }
    }
}
