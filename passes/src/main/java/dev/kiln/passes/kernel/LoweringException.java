package dev.kiln.passes.kernel;

/** A fusion group the kernel IR cannot express; the message names the node and why. */
public final class LoweringException extends RuntimeException {
    public LoweringException(String message) { super(message); }
}
