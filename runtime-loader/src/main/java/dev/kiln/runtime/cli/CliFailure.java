package dev.kiln.runtime.cli;

/**
 * An expected failure of a command: bad usage, an archive that cannot be loaded, an input that does not fit. The
 * CLI prints only the message (which says what and where) and exits with {@link #status()}; no stack trace.
 */
public final class CliFailure extends RuntimeException {
    private final int status;

    public CliFailure(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    static CliFailure usage(String message) { return new CliFailure(ExitStatus.USAGE, message); }

    /** One of {@link ExitStatus}'s codes. */
    public int status() { return status; }
}
