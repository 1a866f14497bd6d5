package dev.kiln.ir;

/**
 * Base of every error the IR layer reports: parse errors, type-inference errors, verifier failures and misuse of
 * the graph API. Messages are for people: they say what was expected, what was found, and where.
 */
public class IrException extends RuntimeException {
    public IrException(String message) { super(message); }
}
