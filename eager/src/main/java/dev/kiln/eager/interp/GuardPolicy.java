package dev.kiln.eager.interp;

/** What running a graph does when a {@code kiln::guard} sees another value than the trace did. */
public enum GuardPolicy {
    /** Throw {@link GuardFailedException}: the trace may have taken another Java branch (the default). */
    ERROR,
    /** Report the failure to the warning sink and go on with the traced path. */
    WARN
}
