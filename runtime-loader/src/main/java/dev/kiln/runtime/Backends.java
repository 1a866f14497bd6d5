package dev.kiln.runtime;

import dev.kiln.serialization.ArchiveMetadata;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The backends this runtime has, by name ({@code interp}, {@code jvm}, {@code ptx}), and which one an archive asks
 * for. {@code PLANNED} names backends a newer runtime may have, so that the error for such an archive says "not built
 * yet" rather than "unknown backend".
 */
public final class Backends {
    /** The compile option naming an archive's backend. */
    public static final String OPTION = "backend";
    /** The backend of an archive whose metadata names none. */
    public static final String DEFAULT = InterpreterBackend.NAME;

    private static final Map<String, Backend> BUILT = new LinkedHashMap<>();
    private static final Set<String> PLANNED = Set.of();

    static {
        register(new InterpreterBackend());
        register(new JvmBackend());
        register(new PtxBackend());
    }

    private Backends() {}

    private static void register(Backend b) { BUILT.put(b.name(), b); }

    /** The backend called {@code name}, if this runtime has it. */
    public static Optional<Backend> find(String name) { return Optional.ofNullable(BUILT.get(name)); }

    /** Names of the backends this runtime has, in registration order. */
    public static List<String> available() { return new ArrayList<>(BUILT.keySet()); }

    /** The backend named in {@code metadata}'s compile options, or {@link #DEFAULT}. */
    public static String requestedBy(ArchiveMetadata metadata) {
        return metadata.compileOptions().getOrDefault(OPTION, DEFAULT);
    }

    /**
     * Why {@code name} is not available: "not built yet" for a planned backend, else "unknown"; each with the list
     * of available ones.
     */
    public static String unavailableReason(String name) {
        return (PLANNED.contains(name) ? "backend '" + name + "' is not built yet"
                : "unknown backend '" + name + "'") + " (this runtime has: " + String.join(", ", available()) + ")";
    }
}
