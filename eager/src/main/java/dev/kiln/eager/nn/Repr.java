package dev.kiln.eager.nn;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Map;

/** Formatting helpers so module {@code toString()}s read like PyTorch's {@code repr}. */
final class Repr {
    private Repr() {}

    /** Python's spelling of a boolean. */
    static String bool(boolean b) { return b ? "True" : "False"; }

    /**
     * Python's {@code repr} of a float: shortest round-trip digits, positional for decimal exponents in [-4, 16),
     * else scientific with a signed two-digit exponent ({@code 1e-05}, {@code 0.1}, {@code 1.0}).
     */
    static String pyFloat(double d) {
        if (Double.isNaN(d)) return "nan";
        if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
        if (d == 0) return (1 / d < 0) ? "-0.0" : "0.0";
        BigDecimal bd = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        String digits = bd.unscaledValue().abs().toString();
        int exp = digits.length() - 1 - bd.scale(); // decimal exponent of the first digit
        String sign = d < 0 ? "-" : "";
        if (exp >= -4 && exp < 16) {
            String plain = bd.abs().toPlainString();
            return sign + (plain.contains(".") ? plain : plain + ".0");
        }
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return sign + mantissa + "e" + (exp < 0 ? "-" : "+") + String.format("%02d", Math.abs(exp));
    }

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
