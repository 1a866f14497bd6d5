package dev.kiln.runtime;

import dev.kiln.eager.KilnException;

/**
 * Call arguments that do not fit a model's signature: the wrong number of inputs, or an input of the wrong dtype,
 * rank or shape, or a missing or unknown input name. The message names the input, what the signature expects and
 * what was found; nothing has been executed when it is thrown.
 */
public final class InputMismatchException extends KilnException {
    private final String input;

    public InputMismatchException(String input, String message) {
        super(message);
        this.input = input;
    }

    /** The name of the offending input, or null when the problem is the number of inputs. */
    public String input() { return input; }
}
