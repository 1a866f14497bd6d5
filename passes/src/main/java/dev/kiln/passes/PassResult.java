package dev.kiln.passes;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a pass did: whether it changed the graph and counters of its rewrites ({@code removed=3},
 * {@code rule.mul-one=1}). Invariant: {@code changed} is true exactly when some counter is positive, so a pass
 * cannot claim a change it did not count.
 */
public record PassResult(boolean changed, Map<String, Long> counters) {
    public PassResult {
        counters = Collections.unmodifiableMap(new LinkedHashMap<>(counters));
    }

    /** A result from counters; changed when any counter is positive. */
    public static PassResult of(Counters counters) {
        Map<String, Long> m = counters.asMap();
        return new PassResult(m.values().stream().anyMatch(v -> v > 0), m);
    }

    public static PassResult unchanged() { return new PassResult(false, Map.of()); }

    /** The counter's value, 0 when absent. */
    public long count(String name) { return counters.getOrDefault(name, 0L); }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        counters.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(k).append('=').append(v));
        return sb.length() == 0 ? "no change" : sb.toString();
    }
}
