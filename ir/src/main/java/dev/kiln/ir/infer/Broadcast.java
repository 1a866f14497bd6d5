package dev.kiln.ir.infer;

import dev.kiln.ir.Op;
import dev.kiln.ir.sym.SymExpr;
import dev.kiln.ir.type.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * NumPy/PyTorch broadcasting over symbolic dims. Shapes align at the right; a pair of dims broadcasts when the two
 * are equal expressions or one is the constant 1. Any other pair — two different constants, or a symbol against a
 * constant other than 1 ({@code B} vs {@code 16}) — has no result valid for every value of the symbols, and is an
 * error.
 */
public final class Broadcast {
    private Broadcast() {}

    /** The broadcast of {@code shapes}; {@code names} names each operand in errors (same length). */
    public static Shape shapes(Op op, List<String> names, List<Shape> shapes) {
        int rank = 0;
        for (Shape s : shapes) if (s != null) rank = Math.max(rank, s.rank());
        List<SymExpr> out = new ArrayList<>();
        for (int i = 0; i < rank; i++) out.add(SymExpr.of(1));
        String[] from = new String[rank];
        for (int k = 0; k < shapes.size(); k++) {
            Shape s = shapes.get(k);
            if (s == null) continue;
            int off = rank - s.rank();
            for (int d = 0; d < s.rank(); d++) {
                SymExpr cur = out.get(off + d);
                SymExpr dim = s.dim(d);
                if (dim.isConstant(1) || dim.equals(cur)) continue;
                if (cur.isConstant(1)) {
                    out.set(off + d, dim);
                    from[off + d] = names.get(k);
                    continue;
                }
                throw new TypeInferenceException(op + ": argument '" + names.get(k) + "' expected a shape "
                        + "broadcastable with " + from[off + d] + " (size " + cur + " at dim " + (off + d)
                        + " of the result), found " + s + (dim.isConstant() && cur.isConstant() ? ""
                        : " (sizes " + cur + " and " + dim + " broadcast only for particular values of the symbols)"));
            }
        }
        return Shape.of(out);
    }

    public static Shape shapes(Op op, String nameA, Shape a, String nameB, Shape b) {
        return shapes(op, List.of(nameA, nameB), java.util.Arrays.asList(a, b));
    }
}
