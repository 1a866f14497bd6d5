package dev.kiln.passes.util;

import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.NodeKind;
import dev.kiln.ir.graph.TensorData;
import dev.kiln.ir.graph.Value;

/** Reading constant values: the data behind a {@code const} node, and element tests used by rewrite rules. */
public final class Consts {
    private Consts() {}

    /** The data of {@code v} when a {@code const} or {@code const(@key)} node defines it, else null. */
    public static TensorData of(Value v) {
        if (v == null || v.producer() == null) return null;
        Node p = v.producer();
        if (p.kind() instanceof NodeKind.Const c) return c.data();
        if (p.kind() instanceof NodeKind.ConstRef r) return p.graph().constant(r.key());
        return null;
    }

    public static boolean isConstant(Value v) { return of(v) != null; }

    /**
     * Whether {@code v} is a constant whose every element equals {@code x} exactly: bitwise for floats (so
     * {@code -0.0} and {@code 0.0} differ), numerically for integers; booleans never match. Empty constants
     * do not match (they prove nothing about broadcasting).
     */
    public static boolean allEqual(Value v, double x) {
        TensorData d = of(v);
        if (d == null || d.numel() == 0) return false;
        for (int i = 0; i < d.numel(); i++) {
            Object e = d.element(i);
            if (e instanceof Boolean) return false;
            if (e instanceof Long l) {
                if (l != x) return false;
            } else if (Double.doubleToRawLongBits((Double) e) != Double.doubleToRawLongBits(x)) {
                return false;
            }
        }
        return true;
    }

    /** Whether every element is an integer zero or a float zero of either sign. */
    public static boolean allZeroAnySign(Value v) {
        TensorData d = of(v);
        if (d == null || d.numel() == 0) return false;
        for (int i = 0; i < d.numel(); i++) {
            Object e = d.element(i);
            if (e instanceof Boolean || ((Number) e).doubleValue() != 0) return false;
        }
        return true;
    }
}
