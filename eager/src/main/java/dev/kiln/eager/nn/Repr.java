package dev.kiln.eager.nn;

import java.util.Arrays;
import java.util.Map;

/** Formatting helpers so module {@code toString()}s read like PyTorch's {@code repr}. */
final class Repr {
    private Repr() {}

    /** Python's spelling of a boolean. */
    static String bool(boolean b) { return b ? "True" : "False"; }

    /** A Python tuple: {@code (2, 2)}, {@code (5,)}. */
    static String tuple(int... values) {
        if (values.length == 1) return "(" + values[0] + ",)";
        String s = Arrays.toString(values);
        return "(" + s.substring(1, s.length() - 1) + ")";
    }

    /** A pair as PyTorch prints it: a single number when both are equal for pooling, else a tuple. */
    static String pairOrInt(int[] pair) {
        return pair[0] == pair[1] ? Integer.toString(pair[0]) : tuple(pair);
    }

    /** A container's repr: {@code Name(\n  (key): child\n)}, children indented as PyTorch does. */
    static String container(String name, Map<String, Module> children) {
        if (children.isEmpty()) return name + "()";
        StringBuilder sb = new StringBuilder(name).append("(");
        for (Map.Entry<String, Module> c : children.entrySet()) {
            String child = String.valueOf(c.getValue()).replace("\n", "\n  ");
            sb.append("\n  (").append(c.getKey()).append("): ").append(child);
        }
        return sb.append("\n)").toString();
    }
}
