package dev.kiln.tracer;

import dev.kiln.ir.sym.SymExpr;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where the {@code long}s the traced program read with {@code size()} / {@code shape()} came from. Java longs
 * carry no identity, so the match is by value: when a size attribute ({@code view}, {@code reshape},
 * {@code expand}, factory sizes) holds a number that was read from exactly one size expression, the attribute
 * gets that expression ({@code x.view(x.size(0), -1)} becomes {@code size=[B, -1]}). A number read from several
 * different expressions (at batch 1, {@code size(0)} and a static dim of 1 both read 1) is ambiguous: the tracer
 * specialises the symbols involved rather than guess. Numbers never read from a size stay literal.
 */
final class SizeProvenance {
    private final Map<Long, Set<SymExpr>> sources = new HashMap<>();

    void record(long value, SymExpr expr) {
        sources.computeIfAbsent(value, k -> new LinkedHashSet<>()).add(expr);
    }

    /** The sizes with each number replaced by its unique source; throws {@link Specialize} on ambiguity. */
    List<SymExpr> resolve(String what, long[] sizes) {
        List<SymExpr> out = new ArrayList<>();
        for (long v : sizes) {
            Set<SymExpr> from = v == -1 ? Set.of() : sources.getOrDefault(v, Set.of());
            if (from.size() > 1) {
                Set<String> symbols = new LinkedHashSet<>();
                for (SymExpr e : from) symbols.addAll(e.symbols());
                throw new Specialize(symbols, what + ": size " + v + " was read from several sizes " + from
                        + "; cannot tell which one it stands for, so " + symbols + " become static");
            }
            out.add(from.isEmpty() ? SymExpr.of(v) : from.iterator().next());
        }
        return out;
    }
}
