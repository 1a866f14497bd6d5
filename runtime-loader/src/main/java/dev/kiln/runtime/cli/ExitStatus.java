package dev.kiln.runtime.cli;

/** The command line's exit statuses; scripts may rely on them. */
public final class ExitStatus {
    /** Success. */
    public static final int OK = 0;
    /** Anything unexpected (a kernel failure, a bug): message and stack trace on stderr. */
    public static final int FAILED = 1;
    /** Bad usage: unknown command or option, missing or malformed argument. */
    public static final int USAGE = 2;
    /** The archive cannot be loaded: missing, truncated, corrupted, newer major version, unknown op or backend,
     * embedded bytecode that fails verification. */
    public static final int BAD_ARCHIVE = 3;
    /** An input does not fit the model: unreadable or malformed .npy, wrong number, dtype, rank or shape, guard. */
    public static final int BAD_INPUT = 4;
    /** The model was asked to run on a device this machine lacks ({@code --device cuda} without a CUDA GPU). */
    public static final int NO_DEVICE = 5;

    private ExitStatus() {}
}
