package dev.kiln.eager.interp;

import dev.kiln.eager.KilnException;
import dev.kiln.ir.graph.SourceInfo;

/**
 * A {@code kiln::guard} failed: the value the traced Java code read from a tensor differs on this input, so the
 * recorded path may not be the one the model would take. The message names the Java source location of the read.
 */
public final class GuardFailedException extends KilnException {
    private final SourceInfo source;

    public GuardFailedException(String message, SourceInfo source) {
        super(message);
        this.source = source;
    }

    /** Where the traced program read the value (module path and Java file:line). */
    public SourceInfo source() { return source; }
}
