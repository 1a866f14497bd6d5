package dev.kiln.eager.interp;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.graph.Value;
import dev.kiln.ir.sym.SymExpr;
import dev.kiln.ir.type.TensorType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks call arguments against a graph's input types and binds the size symbols: a dim that is a lone symbol
 * ({@code B}) takes the argument's size the first time it is seen; every other dim (constants, expressions, a
 * symbol seen before) must then evaluate to the argument's size. Errors name the input, the expected type, the
 * argument's type and the first offending dim.
 */
final class InputBinder {
    private InputBinder() {}

    static Map<String, Long> bind(List<Value> inputs, Tensor[] args) {
        if (args.length != inputs.size()) {
            List<String> names = new ArrayList<>();
            for (Value v : inputs) names.add(v.name());
            throw new KilnException("expected " + inputs.size() + " input(s) " + names + ", found " + args.length);
        }
        Map<String, Long> bindings = new HashMap<>();
        Map<String, String> boundBy = new HashMap<>();
        // First bind every lone-symbol dim, so that an expression dim (B*2) may come before its symbol's dim.
        for (int i = 0; i < args.length; i++) {
            TensorType t = typeOf(inputs.get(i));
            check(inputs.get(i), t, args[i]);
            for (int d = 0; d < t.rank(); d++) {
                SymExpr e = t.shape().dim(d);
                String sym = loneSymbol(e);
                if (sym != null && !bindings.containsKey(sym)) {
                    bindings.put(sym, args[i].size(d));
                    boundBy.put(sym, "input '" + inputs.get(i).name() + "' dim " + d);
                }
            }
        }
        for (int i = 0; i < args.length; i++) {
            TensorType t = typeOf(inputs.get(i));
            for (int d = 0; d < t.rank(); d++) {
                SymExpr e = t.shape().dim(d);
                long want = e.eval(bindings);
                long have = args[i].size(d);
                if (want != have) {
                    String why = e.isConstant() ? String.valueOf(want)
                            : e + " = " + want + " (" + explain(e, bindings, boundBy) + ")";
                    throw mismatch(inputs.get(i), t, args[i], "dim " + d + ": expected " + why + ", found " + have);
                }
            }
        }
        return bindings;
    }

    private static void check(Value input, TensorType t, Tensor arg) {
        if (arg == null) throw new KilnException("input '" + input.name() + "': expected " + t + ", found null");
        if (arg.dtype() != t.dtype()) {
            throw mismatch(input, t, arg, "dtype: expected " + t.dtype().irName() + ", found " + arg.dtype().irName());
        }
        if (arg.dim() != t.rank()) {
            throw mismatch(input, t, arg, "rank: expected " + t.rank() + ", found " + arg.dim());
        }
    }

    private static String loneSymbol(SymExpr e) {
        if (e.symbols().size() != 1) return null;
        String s = e.symbols().iterator().next();
        return e.equals(SymExpr.symbol(s)) ? s : null;
    }

    private static String explain(SymExpr e, Map<String, Long> bindings, Map<String, String> boundBy) {
        List<String> parts = new ArrayList<>();
        for (String s : e.symbols()) parts.add(s + " = " + bindings.get(s) + " from " + boundBy.get(s));
        return String.join(", ", parts);
    }

    private static KilnException mismatch(Value input, TensorType t, Tensor arg, String detail) {
        return new KilnException("input '" + input.name() + "': expected " + t + ", found " + arg.dtype().irName()
                + Arrays.toString(arg.shape()) + " (" + detail + ")");
    }

    private static TensorType typeOf(Value v) {
        if (!(v.type() instanceof TensorType t)) {
            throw new KilnException("input '" + v.name() + "' has type " + v.type() + "; graph inputs must be tensors");
        }
        return t;
    }
}
