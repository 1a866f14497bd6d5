package dev.kiln.ir.graph;

/**
 * Where a node came from, for error messages and profiles: the module path of the {@code nn.Module} that issued
 * the op ({@code layer1.0.conv1}, empty for the top module or unknown) and the Java source location
 * ({@code Net.java:42}; {@code file} null when unknown).
 *
 * <p>IR text prints it as the node line's trailing comment: {@code # layer1.0.conv1 @ Net.java:42},
 * {@code # conv}, or {@code # @ Net.java:42}.
 */
public record SourceInfo(String modulePath, String file, int line) {
    public static final SourceInfo NONE = new SourceInfo("", null, 0);

    public SourceInfo {
        modulePath = modulePath == null ? "" : modulePath;
        if (modulePath.contains("@") || modulePath.contains("\n") || modulePath.contains(" ")) {
            throw new IllegalArgumentException("module path must not contain spaces, '@' or newlines: '"
                    + modulePath + "'");
        }
        if (file != null && (file.isEmpty() || file.contains("\n"))) {
            throw new IllegalArgumentException("bad source file name '" + file + "'");
        }
    }

    public static SourceInfo module(String modulePath) { return new SourceInfo(modulePath, null, 0); }

    public boolean isEmpty() { return modulePath.isEmpty() && file == null; }

    /** The comment body without {@code #}: {@code layer1.0.conv1 @ Net.java:42}. */
    @Override
    public String toString() {
        if (file == null) return modulePath;
        String loc = "@ " + file + ":" + line;
        return modulePath.isEmpty() ? loc : modulePath + " " + loc;
    }
}
