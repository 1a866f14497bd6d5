package dev.kiln.tracer;

import dev.kiln.eager.KilnException;

/** Tracing failed, or the trace check found traced and eager results apart; the message says where. */
public class TraceException extends KilnException {
    public TraceException(String message) { super(message); }

    public TraceException(String message, Throwable cause) { super(message, cause); }
}
