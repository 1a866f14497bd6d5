package dev.kiln.eager.io;

import dev.kiln.eager.KilnException;
import java.nio.file.Path;

/**
 * A tensor file Kiln cannot read or write as asked: malformed, truncated, or holding a dtype or layout Kiln does
 * not support. The message starts with the file and says what was expected and what was found.
 */
public class TensorFileException extends KilnException {
    public TensorFileException(Path file, String message) { super(file + ": " + message); }

    public TensorFileException(Path file, String message, Throwable cause) { super(file + ": " + message, cause); }
}
