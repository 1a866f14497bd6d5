package dev.kiln.serialization;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The archive format version {@code major.minor}. The rule (stated also in {@code kiln_archive.proto} and
 * docs/archive.md): a reader supports one major and rejects every other; it accepts any minor of that major,
 * because a minor bump only adds what an older reader may ignore (optional fields, optional indexed entries).
 */
public record FormatVersion(int major, int minor) {
    /** The version this code writes. */
    public static final FormatVersion CURRENT = new FormatVersion(1, 2);

    private static final Pattern TEXT = Pattern.compile("(\\d{1,9})\\.(\\d{1,9})\\n?");

    public FormatVersion {
        if (major < 0 || minor < 0) throw new IllegalArgumentException("negative version " + major + "." + minor);
    }

    /** Parses the content of {@code kiln/version}: {@code "1.0"} with an optional trailing newline; else null. */
    static FormatVersion parse(String text) {
        Matcher m = TEXT.matcher(text);
        if (!m.matches()) return null;
        return new FormatVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }

    /** Whether a reader of {@link #CURRENT} can read an archive of this version: same major, any minor. */
    public boolean isReadable() { return major == CURRENT.major; }

    /** The content of {@code kiln/version}. */
    String fileText() { return this + "\n"; }

    @Override
    public String toString() { return major + "." + minor; }
}
