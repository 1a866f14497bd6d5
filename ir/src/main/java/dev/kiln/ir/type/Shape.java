package dev.kiln.ir.type;

import dev.kiln.ir.sym.SymExpr;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The sizes of a tensor, each a {@link SymExpr}: a constant, a symbol or a symbolic expression. Rank 0 is a
 * scalar. Immutable; equal shapes have equal canonical dims.
 */
public final class Shape {
    public static final Shape SCALAR = new Shape(List.of());

    private final List<SymExpr> dims;

    private Shape(List<SymExpr> dims) { this.dims = dims; }

    public static Shape of(List<SymExpr> dims) {
        for (SymExpr d : dims) {
            if (d.isConstant() && d.constant() < 0) {
                throw new IllegalArgumentException("negative dimension " + d + " in shape " + render(dims));
            }
        }
        return new Shape(List.copyOf(dims));
    }

    /** A static shape. */
    public static Shape of(long... sizes) {
        List<SymExpr> d = new ArrayList<>();
        for (long s : sizes) d.add(SymExpr.of(s));
        return of(d);
    }

    public int rank() { return dims.size(); }

    public SymExpr dim(int i) { return dims.get(i); }

    /** The dims, unmodifiable. */
    public List<SymExpr> dims() { return dims; }

    /** Whether every dim is a constant. */
    public boolean isStatic() {
        for (SymExpr d : dims) if (!d.isConstant()) return false;
        return true;
    }

    /** The product of the dims. */
    public SymExpr numel() {
        SymExpr n = SymExpr.of(1);
        for (SymExpr d : dims) n = n.times(d);
        return n;
    }

    /** The concrete sizes of a static shape; throws naming the first symbolic dim otherwise. */
    public long[] toLongs() {
        long[] out = new long[dims.size()];
        for (int i = 0; i < out.length; i++) {
            if (!dims.get(i).isConstant()) {
                throw new IllegalStateException("shape " + this + " is not static: dim " + i + " is " + dims.get(i));
            }
            out[i] = dims.get(i).constant();
        }
        return out;
    }

    /** The concrete sizes under {@code bindings}. */
    public long[] eval(Map<String, Long> bindings) {
        long[] out = new long[dims.size()];
        for (int i = 0; i < out.length; i++) out[i] = dims.get(i).eval(bindings);
        return out;
    }

    @Override
    public boolean equals(Object o) { return o instanceof Shape s && s.dims.equals(dims); }

    @Override
    public int hashCode() { return dims.hashCode(); }

    /** IR text: {@code [B, 1, 28, 28]}, {@code []} for a scalar. */
    @Override
    public String toString() { return render(dims); }

    private static String render(List<SymExpr> dims) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < dims.size(); i++) {
            if (i > 0) sb.append(", ");
            sb.append(dims.get(i));
        }
        return sb.append(']').toString();
    }
}
