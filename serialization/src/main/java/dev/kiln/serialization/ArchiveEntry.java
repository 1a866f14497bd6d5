package dev.kiln.serialization;

import java.util.Objects;

/**
 * One line of an archive's artifact index: a zip entry's name, role, length and SHA-256 (lower-case hex).
 */
public record ArchiveEntry(String name, Kind kind, long byteLength, String sha256) {

    /**
     * The role of an entry, by its place in the layout. {@code OTHER}: a kind added by a newer minor version of the
     * format, whose checksum is verified but whose content this reader ignores.
     */
    public enum Kind { VERSION, GRAPH_TEXT, TENSOR_DATA, JVM_CLASS, PTX, EXTRA, OTHER }

    public ArchiveEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(sha256, "sha256");
        if (byteLength < 0) throw new IllegalArgumentException("negative length for " + name);
    }
}
