package dev.kiln.serialization;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Who made an archive and how: the Kiln version, the creation time (millisecond precision, as stored), the traced
 * model's class name, and the trace and compile options as string maps (sorted, so that equal options give equal
 * archives).
 */
public record ArchiveMetadata(String kilnVersion, Instant created, String modelClass,
                              Map<String, String> traceOptions, Map<String, String> compileOptions) {

    /** The version of this Kiln build, from the module's filtered {@code kiln-version.properties}. */
    public static final String KILN_VERSION = loadVersion();

    public ArchiveMetadata {
        Objects.requireNonNull(kilnVersion, "kilnVersion");
        created = Instant.ofEpochMilli(Objects.requireNonNull(created, "created").toEpochMilli());
        Objects.requireNonNull(modelClass, "modelClass");
        traceOptions = sorted(traceOptions);
        compileOptions = sorted(compileOptions);
    }

    /** Metadata for an archive of {@code modelClass} made now by this Kiln build, with no options recorded. */
    public static ArchiveMetadata of(String modelClass) {
        return new ArchiveMetadata(KILN_VERSION, Instant.now(), modelClass, Map.of(), Map.of());
    }

    public ArchiveMetadata withTraceOptions(Map<String, String> options) {
        return new ArchiveMetadata(kilnVersion, created, modelClass, options, compileOptions);
    }

    public ArchiveMetadata withCompileOptions(Map<String, String> options) {
        return new ArchiveMetadata(kilnVersion, created, modelClass, traceOptions, options);
    }

    private static Map<String, String> sorted(Map<String, String> m) {
        return java.util.Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(m, "options")));
    }

    private static String loadVersion() {
        try (InputStream in = ArchiveMetadata.class.getResourceAsStream("kiln-version.properties")) {
            if (in == null) return "unknown";
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
