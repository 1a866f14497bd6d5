package dev.kiln.serialization;

import java.io.IOException;
import java.nio.file.Path;

/**
 * An archive that cannot be trusted or understood. The message names the file and, where there is one, the zip
 * entry at fault ({@code model.kiln: kiln/data/3: SHA-256 mismatch: ...}); {@link #problem()} classifies the
 * failure so that callers (the CLI's exit status, tests) need not parse messages.
 */
public final class ArchiveException extends IOException {
    private static final long serialVersionUID = 1L;

    /** What is wrong with the archive. */
    public enum Problem {
        /** The file ends early: no zip directory, or an entry extends past the end. */
        TRUNCATED,
        /** Content does not match its checksum (SHA-256 from the index, or the zip CRC-32) or recorded length. */
        CHECKSUM_MISMATCH,
        /** The archive's major format version is not the one this reader supports. */
        UNSUPPORTED_VERSION,
        /** The graph calls an op this runtime does not know. */
        UNKNOWN_OP,
        /** A required or referenced entry is absent. */
        MISSING_ENTRY,
        /** Anything else that does not follow the format: bad zip structure, bad protobuf, an ill-formed graph. */
        MALFORMED
    }

    private final Problem problem;
    private final String entry;

    ArchiveException(Problem problem, Path file, String entry, String detail) {
        this(problem, file, entry, detail, null);
    }

    ArchiveException(Problem problem, Path file, String entry, String detail, Throwable cause) {
        super(file + ": " + (entry == null ? "" : entry + ": ") + detail, cause);
        this.problem = problem;
        this.entry = entry;
    }

    public Problem problem() { return problem; }

    /** The zip entry at fault, or null when the problem concerns the file as a whole. */
    public String entry() { return entry; }
}
