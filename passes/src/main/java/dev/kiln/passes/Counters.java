package dev.kiln.passes;

import java.util.LinkedHashMap;
import java.util.Map;

/** Named change counters a pass fills while it runs; insertion order is kept for stable reports. */
public final class Counters {
    private final Map<String, Long> counts = new LinkedHashMap<>();

    /** Adds one to {@code name}. */
    public void add(String name) { add(name, 1); }

    public void add(String name, long n) { counts.merge(name, n, Long::sum); }

    public long get(String name) { return counts.getOrDefault(name, 0L); }

    public long total() { return counts.values().stream().mapToLong(Long::longValue).sum(); }

    Map<String, Long> asMap() { return counts; }
}
