package dev.kiln.runtime;

import dev.kiln.eager.Tensor;
import dev.kiln.ir.sym.SymExpr;
import dev.kiln.ir.type.TensorType;
import dev.kiln.serialization.Signature;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks call arguments against a {@link Signature} before anything runs, so that a caller learns which input is
 * wrong and how, in the signature's own names ({@code input 'x': shape: expected f32[B, 784], found f32[3, 783]
 * (dim 1: expected 784, found 783)}), instead of a kernel error deep in the graph.
 *
 * <p>Checks, in order: the number of inputs; per input: present, dtype, rank; then the sizes. A dim that is a lone
 * symbol ({@code B}) takes the argument's size the first time the symbol is seen; every other dim (constants,
 * expressions such as {@code B*2}, a symbol seen before) must then equal the argument's size.
 */
final class InputValidator {
    private InputValidator() {}

    static void check(Signature signature, Tensor[] args) {
        List<Signature.Port> ports = signature.inputs();
        if (args.length != ports.size()) {
            throw new InputMismatchException(null, "expected " + ports.size() + " input(s) " + names(ports)
                    + ", found " + args.length);
        }
        for (int i = 0; i < args.length; i++) checkTypeAndRank(ports.get(i), args[i]);
        Map<String, Long> bindings = new HashMap<>();
        Map<String, String> boundBy = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            TensorType t = ports.get(i).type();
            for (int d = 0; d < t.rank(); d++) {
                String sym = loneSymbol(t.shape().dim(d));
                if (sym != null && !bindings.containsKey(sym)) {
                    bindings.put(sym, args[i].size(d));
                    boundBy.put(sym, "input '" + ports.get(i).name() + "' dim " + d);
                }
            }
        }
        for (int i = 0; i < args.length; i++) {
            Signature.Port p = ports.get(i);
            for (int d = 0; d < p.type().rank(); d++) {
                SymExpr e = p.type().shape().dim(d);
                long want = e.eval(bindings);
                long have = args[i].size(d);
                if (want != have) {
                    String why = e.isConstant() ? String.valueOf(want)
                            : e + " = " + want + " (" + explain(e, bindings, boundBy) + ")";
                    throw mismatch(p, args[i], "shape", "dim " + d + ": expected " + why + ", found " + have);
                }
            }
        }
    }

    /** Checks that every signature input is named in {@code byName} and nothing else is; returns them in order. */
    static Tensor[] order(Signature signature, Map<String, Tensor> byName) {
        List<Signature.Port> ports = signature.inputs();
        List<String> known = new ArrayList<>();
        for (Signature.Port p : ports) known.add(p.name());
        for (String name : byName.keySet()) {
            if (!known.contains(name)) {
                throw new InputMismatchException(name, "unknown input '" + name + "'; the model's inputs are "
                        + names(ports));
            }
        }
        Tensor[] out = new Tensor[ports.size()];
        for (int i = 0; i < out.length; i++) {
            String name = ports.get(i).name();
            if (!byName.containsKey(name)) {
                throw new InputMismatchException(name, "missing input '" + name + "' (expected " + ports.get(i).type()
                        + "); the model's inputs are " + names(ports));
            }
            out[i] = byName.get(name);
        }
        return out;
    }

    private static void checkTypeAndRank(Signature.Port p, Tensor arg) {
        if (arg == null) {
            throw new InputMismatchException(p.name(), "input '" + p.name() + "': expected " + p.type()
                    + ", found null");
        }
        TensorType t = p.type();
        if (arg.dtype() != t.dtype()) {
            throw mismatch(p, arg, "dtype", "expected " + t.dtype().irName() + ", found " + arg.dtype().irName());
        }
        if (arg.dim() != t.rank()) throw mismatch(p, arg, "rank", "expected " + t.rank() + ", found " + arg.dim());
    }

    private static InputMismatchException mismatch(Signature.Port p, Tensor arg, String what, String detail) {
        String found = arg.dtype().irName() + Arrays.toString(arg.shape());
        String msg = what.equals("shape")
                ? "input '" + p.name() + "': shape: expected " + p.type() + ", found " + found + " (" + detail + ")"
                : "input '" + p.name() + "': " + what + ": " + detail + " (expected " + p.type() + ", found "
                        + found + ")";
        return new InputMismatchException(p.name(), msg);
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

    private static List<String> names(List<Signature.Port> ports) {
        List<String> out = new ArrayList<>();
        for (Signature.Port p : ports) out.add(p.name());
        return out;
    }
}
