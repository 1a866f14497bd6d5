package dev.kiln.passes.shape;

import dev.kiln.ir.graph.Value;
import dev.kiln.ir.sym.SymExpr;
import dev.kiln.ir.type.TensorType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Size-symbol values read off concrete input shapes, for specialisation and memory planning. */
public final class ShapeBindings {
    private ShapeBindings() {}

    /**
     * Binds every input dim that is a lone symbol ({@code B}) to the size at that dim of the matching shape. A
     * symbol seen twice with different sizes fails, naming it.
     */
    public static Map<String, Long> fromInputs(List<Value> inputs, List<long[]> shapes) {
        Map<String, Long> out = new HashMap<>();
        for (int i = 0; i < inputs.size(); i++) {
            if (!(inputs.get(i).type() instanceof TensorType t)) continue;
            List<SymExpr> dims = t.shape().dims();
            for (int d = 0; d < dims.size() && d < shapes.get(i).length; d++) {
                SymExpr e = dims.get(d);
                if (e.isConstant() || e.symbols().size() != 1 || !e.equals(SymExpr.symbol(e.symbols().iterator().next()))) {
                    continue;
                }
                String s = e.symbols().iterator().next();
                Long prev = out.put(s, shapes.get(i)[d]);
                if (prev != null && prev != shapes.get(i)[d]) {
                    throw new IllegalArgumentException("size " + s + " is " + prev + " at one input and "
                            + shapes.get(i)[d] + " at " + inputs.get(i));
                }
            }
        }
        return out;
    }
}
