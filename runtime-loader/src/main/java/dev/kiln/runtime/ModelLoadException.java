package dev.kiln.runtime;

import java.io.IOException;

/**
 * An archive that was read and verified but cannot be run by this runtime: it needs a backend this runtime does
 * not have, or its backend refused it. (An archive that cannot be read at all is a
 * {@link dev.kiln.serialization.ArchiveException}.) The message names the archive and says what is missing.
 */
public class ModelLoadException extends IOException {
    public ModelLoadException(String message) { super(message); }

    public ModelLoadException(String message, Throwable cause) { super(message, cause); }
}
