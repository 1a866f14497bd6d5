package dev.kiln.passes;

import java.util.List;

/** A pass threw or left an invalid graph; the message names the pass and the passes that ran before it. */
public final class PassException extends RuntimeException {
    private final String pass;
    private final List<String> before;

    PassException(String pipeline, String pass, List<String> before, String what, Throwable cause) {
        super("pipeline '" + pipeline + "': pass '" + pass + "' " + what + " (passes run before it: "
                + (before.isEmpty() ? "none" : String.join(", ", before)) + "): " + cause.getMessage(), cause);
        this.pass = pass;
        this.before = List.copyOf(before);
    }

    /** The failing pass, or {@code <input>} when the graph was invalid before the first pass. */
    public String pass() { return pass; }

    /** The passes that ran before the failing one, in order. */
    public List<String> before() { return before; }
}
