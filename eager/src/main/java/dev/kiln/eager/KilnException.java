package dev.kiln.eager;

/**
 * A call Kiln cannot carry out: a bad shape, dtype, dimension or name. The message always says where (op or
 * key), what was expected and what was found.
 */
public class KilnException extends RuntimeException {
    public KilnException(String message) { super(message); }

    public KilnException(String message, Throwable cause) { super(message, cause); }
}
