package dev.kiln.codegen.jvm;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.graph.Value;
import dev.kiln.ir.sym.SymExpr;
import dev.kiln.ir.type.TensorType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the size symbols from the call's inputs (the interpreter's rule: a dim that is a lone symbol binds it the
 * first time it is seen; every dim must then evaluate to the argument's size) into a {@code long[]} in a fixed
 * symbol order, the key of the thread's execution context. Constant and lone-symbol dims are checked without
 * building a map; errors name the input, the expected type and what was found.
 */
final class Binder {
    private final List<Value> inputs;
    private final TensorType[] types;
    final List<String> symbols = new ArrayList<>();
    /** Per input and dim: the symbol index for a lone symbol, -1 for a constant, -2 for an expression. */
    private final int[][] kind;

    Binder(List<Value> inputs) {
        this.inputs = List.copyOf(inputs);
        types = new TensorType[inputs.size()];
        kind = new int[inputs.size()][];
        for (int i = 0; i < types.length; i++) {
            if (!(inputs.get(i).type() instanceof TensorType t)) {
                throw new KilnException("input '" + inputs.get(i).name() + "' has type " + inputs.get(i).type()
                        + "; graph inputs must be tensors");
            }
            types[i] = t;
            kind[i] = new int[t.rank()];
            for (int d = 0; d < t.rank(); d++) {
                SymExpr e = t.shape().dim(d);
                if (e.isConstant()) kind[i][d] = -1;
                else if (e.symbols().size() == 1 && e.equals(SymExpr.symbol(e.symbols().iterator().next()))) {
                    String s = e.symbols().iterator().next();
                    if (!symbols.contains(s)) symbols.add(s);
                    kind[i][d] = symbols.indexOf(s);
                } else {
                    kind[i][d] = -2;
                }
            }
        }
    }

    /** Binds {@code args} into {@code key} (length = number of symbols) and checks every dim. */
    void bind(Tensor[] args, long[] key) {
        if (args.length != types.length) {
            List<String> names = new ArrayList<>();
            for (Value v : inputs) names.add(v.name());
            throw new KilnException("expected " + types.length + " input(s) " + names + ", found " + args.length);
        }
        Arrays.fill(key, -1);
        for (int i = 0; i < args.length; i++) {
            Tensor a = args[i];
            TensorType t = types[i];
            if (a == null) throw new KilnException("input '" + inputs.get(i).name() + "': expected " + t + ", found null");
            if (a.dtype() != t.dtype()) {
                throw mismatch(i, a, "dtype: expected " + t.dtype().irName() + ", found " + a.dtype().irName());
            }
            if (a.dim() != t.rank()) throw mismatch(i, a, "rank: expected " + t.rank() + ", found " + a.dim());
            for (int d = 0; d < kind[i].length; d++) {
                int s = kind[i][d];
                if (s >= 0 && key[s] < 0) key[s] = a.size(d);
            }
        }
        Map<String, Long> map = null;
        for (int i = 0; i < args.length; i++) {
            for (int d = 0; d < kind[i].length; d++) {
                int s = kind[i][d];
                long have = args[i].size(d);
                long want;
                if (s >= 0) want = key[s];
                else {
                    if (map == null) map = bindings(key);
                    want = types[i].shape().dim(d).eval(map);
                }
                if (want != have) {
                    throw mismatch(i, args[i], "dim " + d + ": expected " + types[i].shape().dim(d) + " = " + want
                            + ", found " + have);
                }
            }
        }
    }

    Map<String, Long> bindings(long[] key) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (int s = 0; s < key.length; s++) m.put(symbols.get(s), key[s]);
        return m;
    }

    private KilnException mismatch(int i, Tensor a, String detail) {
        return new KilnException("input '" + inputs.get(i).name() + "': expected " + types[i] + ", found "
                + a.dtype().irName() + Arrays.toString(a.shape()) + " (" + detail + ")");
    }

    /** The per-thread cache of execution contexts, by symbol values; the last one is checked first. */
    static final class Contexts {
        final long[] key;
        long[] lastKey;
        Frame last;
        final Map<List<Long>, Frame> all = new HashMap<>();

        Contexts(int symbols) { key = new long[symbols]; }

        Frame get(Program p, Binder b) {
            if (last != null && Arrays.equals(lastKey, key)) return last;
            List<Long> k = new ArrayList<>();
            for (long v : key) k.add(v);
            Frame f = all.computeIfAbsent(k, x -> new Frame(p, b.bindings(key)));
            last = f;
            lastKey = key.clone();
            return f;
        }
    }
}
