package dev.kiln.eager.io;

import dev.kiln.ir.DType;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The header of a {@code .npy} file: a Python dict literal with exactly the keys {@code descr},
 * {@code fortran_order} and {@code shape}, e.g. {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }}.
 *
 * <p>{@link #parse} reads the small subset of Python literal syntax numpy writes (strings, {@code True}/
 * {@code False}, integers, tuples, dicts), strictly; {@link #format} writes exactly what numpy 1.24's
 * {@code np.save} writes before padding, so files Kiln writes are byte-identical to numpy's.
 *
 * @param dtype        element type
 * @param order        byte order of the data
 * @param fortranOrder whether the data is column-major
 * @param shape        sizes, each non-negative, with at most {@code Integer.MAX_VALUE - 8} elements in all
 */
record NpyHeader(DType dtype, ByteOrder order, boolean fortranOrder, int[] shape) {
    /** Numpy reserves room for a 21-digit first (growth) axis so a header can be rewritten in place. */
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;
    private static final String SUPPORTED = "'<f4', '<f8', '<i4', '<i8', '|b1' (or '>' big-endian)";

    /** The numpy type string Kiln writes: little-endian, or {@code |} for one-byte bool. */
    static String descr(DType dtype) {
        return (dtype == DType.BOOL ? "|" : "<") + dtype.numpyCode();
    }

    /** The header dict as numpy 1.24 writes it, without the trailing padding and newline. */
    String format() {
        StringBuilder sb = new StringBuilder("{'descr': '").append(descr(dtype)).append("', 'fortran_order': ")
                .append(fortranOrder ? "True" : "False").append(", 'shape': (");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) sb.append(", ");
            sb.append(shape[i]);
        }
        sb.append(shape.length == 1 ? ",), }" : "), }");
        if (shape.length > 0) {
            int growthAxis = fortranOrder ? shape.length - 1 : 0;
            sb.append(" ".repeat(GROWTH_AXIS_MAX_DIGITS - Integer.toString(shape[growthAxis]).length()));
        }
        return sb.toString();
    }

    /** Parses header text; errors name {@code file} and say what was expected and found. */
    static NpyHeader parse(String text, Path file) {
        Object value;
        try {
            PyLiteral p = new PyLiteral(text);
            value = p.value();
            p.end();
        } catch (IllegalArgumentException e) {
            throw new TensorFileException(file, "malformed .npy header: " + e.getMessage() + " in " + quote(text));
        }
        if (!(value instanceof Map<?, ?> dict)) {
            throw new TensorFileException(file, "malformed .npy header: expected a dict, found " + quote(text));
        }
        if (!dict.keySet().equals(java.util.Set.of("descr", "fortran_order", "shape"))) {
            throw new TensorFileException(file, "malformed .npy header: expected exactly the keys 'descr', "
                    + "'fortran_order' and 'shape', found " + dict.keySet());
        }
        Object descr = dict.get("descr");
        if (!(descr instanceof String d)) {
            throw new TensorFileException(file, "unsupported dtype " + PyLiteral.repr(descr)
                    + " (a structured dtype); Kiln reads " + SUPPORTED);
        }
        if (!(dict.get("fortran_order") instanceof Boolean fortran)) {
            throw new TensorFileException(file, "malformed .npy header: expected 'fortran_order' True or False, found "
                    + PyLiteral.repr(dict.get("fortran_order")));
        }
        return new NpyHeader(dtypeOf(d, file), orderOf(d), fortran, shapeOf(dict.get("shape"), file));
    }

    private static DType dtypeOf(String descr, Path file) {
        String code = descr.isEmpty() || "<>|=".indexOf(descr.charAt(0)) < 0 ? descr : descr.substring(1);
        for (DType t : DType.values()) {
            if (t.numpyCode().equals(code)) return t;
        }
        throw new TensorFileException(file, "unsupported dtype '" + descr + "'; Kiln reads " + SUPPORTED);
    }

    /** {@code <} little, {@code >} big, anything else ({@code |}, {@code =}, none) the platform's. */
    private static ByteOrder orderOf(String descr) {
        if (descr.startsWith("<")) return ByteOrder.LITTLE_ENDIAN;
        if (descr.startsWith(">")) return ByteOrder.BIG_ENDIAN;
        return ByteOrder.nativeOrder();
    }

    private static int[] shapeOf(Object value, Path file) {
        if (!(value instanceof PyLiteral.Tuple t)) {
            throw new TensorFileException(file, "malformed .npy header: expected 'shape' as a tuple of integers, found "
                    + PyLiteral.repr(value));
        }
        long[] shape = new long[t.items().size()];
        for (int i = 0; i < shape.length; i++) {
            Object v = t.items().get(i);
            if (!(v instanceof Long n) || n < 0 || n > Integer.MAX_VALUE) {
                throw new TensorFileException(file, "malformed .npy header: expected 'shape' of non-negative "
                        + "integers, found " + PyLiteral.repr(value));
            }
            shape[i] = n;
        }
        int[] s = Arrays.stream(shape).mapToInt(x -> (int) x).toArray();
        long cap = Integer.MAX_VALUE - 8;
        long numel = 1;
        // Clamping keeps the product below 2^62 (both factors are at most 2^31), and a later 0 still gives 0.
        for (long n : shape) numel = Math.min(numel * n, cap + 1);
        if (numel > cap) {
            throw new TensorFileException(file, "shape " + Arrays.toString(shape) + " holds more than " + cap
                    + " elements, the most a Kiln tensor holds");
        }
        return s;
    }

    private static String quote(String text) {
        String t = text.strip();
        return "\"" + (t.length() > 200 ? t.substring(0, 200) + "..." : t) + "\"";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NpyHeader h && h.dtype == dtype && h.order.equals(order) && h.fortranOrder == fortranOrder
                && Arrays.equals(h.shape, shape);
    }

    @Override
    public int hashCode() { return Arrays.hashCode(shape) * 31 + dtype.hashCode(); }

    @Override
    public String toString() { return "NpyHeader[" + dtype + ", " + order + ", fortran=" + fortranOrder + ", "
            + Arrays.toString(shape) + "]"; }

    /** A strict reader of the Python literals numpy headers use. Values: String, Boolean, Long, Tuple, List, Map. */
    static final class PyLiteral {
        /** A Python tuple (kept apart from lists: numpy's shape must be a tuple). */
        record Tuple(List<Object> items) {}

        private final String s;
        private int pos;

        PyLiteral(String s) { this.s = s; }

        Object value() {
            skipSpace();
            if (pos >= s.length()) throw new IllegalArgumentException("unexpected end of header");
            char c = s.charAt(pos);
            if (c == '{') return dict();
            if (c == '(') return new Tuple(sequence('(', ')', true));
            if (c == '[') return sequence('[', ']', false);
            if (c == '\'' || c == '"') return string();
            if (c == '-' || Character.isDigit(c)) return integer();
            if (Character.isLetter(c)) return word();
            throw new IllegalArgumentException("unexpected '" + c + "' at offset " + pos);
        }

        void end() {
            skipSpace();
            if (pos != s.length()) {
                throw new IllegalArgumentException("unexpected text after the dict at offset " + pos);
            }
        }

        private Map<String, Object> dict() {
            Map<String, Object> out = new LinkedHashMap<>();
            pos++; // '{'
            while (true) {
                skipSpace();
                if (peek() == '}') { pos++; return out; }
                Object key = value();
                if (!(key instanceof String k)) {
                    throw new IllegalArgumentException("expected a string key at offset " + pos);
                }
                skipSpace();
                expect(':');
                Object v = value();
                if (out.put(k, v) != null) throw new IllegalArgumentException("duplicate key '" + k + "'");
                skipSpace();
                if (peek() == ',') pos++;
                else if (peek() != '}') throw new IllegalArgumentException("expected ',' or '}' at offset " + pos);
            }
        }

        private List<Object> sequence(char open, char close, boolean tuple) {
            List<Object> out = new ArrayList<>();
            pos++; // open
            boolean trailingComma = false;
            while (true) {
                skipSpace();
                if (peek() == close) {
                    pos++;
                    // Python: "(5)" is the number 5, not a tuple; numpy always writes "(5,)".
                    if (tuple && out.size() == 1 && !trailingComma) {
                        throw new IllegalArgumentException("expected a tuple, found a parenthesised value");
                    }
                    return out;
                }
                out.add(value());
                skipSpace();
                trailingComma = peek() == ',';
                if (trailingComma) pos++;
                else if (peek() != close) {
                    throw new IllegalArgumentException("expected ',' or '" + close + "' at offset " + pos);
                }
            }
        }

        private String string() {
            char q = s.charAt(pos++);
            int start = pos;
            while (pos < s.length() && s.charAt(pos) != q) {
                if (s.charAt(pos) == '\\') throw new IllegalArgumentException("escape sequences are not supported");
                pos++;
            }
            if (pos >= s.length()) throw new IllegalArgumentException("unterminated string at offset " + (start - 1));
            return s.substring(start, pos++);
        }

        private Long integer() {
            int start = pos;
            if (peek() == '-') pos++;
            while (pos < s.length() && Character.isDigit(s.charAt(pos))) pos++;
            String digits = s.substring(start, pos);
            if (pos < s.length() && (s.charAt(pos) == 'L' || s.charAt(pos) == 'l')) pos++; // Python 2 long suffix
            try {
                return Long.parseLong(digits);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad integer '" + digits + "' at offset " + start);
            }
        }

        private Object word() {
            int start = pos;
            while (pos < s.length() && Character.isLetterOrDigit(s.charAt(pos))) pos++;
            String w = s.substring(start, pos);
            return switch (w) {
                case "True" -> Boolean.TRUE;
                case "False" -> Boolean.FALSE;
                default -> throw new IllegalArgumentException("unexpected name '" + w + "' at offset " + start);
            };
        }

        private void expect(char c) {
            if (peek() != c) throw new IllegalArgumentException("expected '" + c + "' at offset " + pos);
            pos++;
        }

        private char peek() { return pos < s.length() ? s.charAt(pos) : '\0'; }

        private void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) pos++;
        }

        /** Python-like text of a parsed value, for messages. */
        static String repr(Object v) {
            if (v instanceof String str) return "'" + str + "'";
            if (v instanceof Boolean b) return b ? "True" : "False";
            if (v instanceof Tuple t) {
                List<String> parts = t.items().stream().map(PyLiteral::repr).toList();
                return "(" + String.join(", ", parts) + (parts.size() == 1 ? ",)" : ")");
            }
            if (v instanceof List<?> l) return "[" + String.join(", ", l.stream().map(PyLiteral::repr).toList()) + "]";
            if (v instanceof Map<?, ?> m) {
                List<String> parts = new ArrayList<>();
                m.forEach((k, x) -> parts.add(repr(k) + ": " + repr(x)));
                return "{" + String.join(", ", parts) + "}";
            }
            return String.valueOf(v);
        }
    }
}
