package dev.kiln.serialization;

/**
 * A failure to decode {@code kiln/model.pb}, raised deep inside the decoders and turned by {@link ArchiveReader}
 * into an {@link ArchiveException} that names the file and the entry.
 */
final class DecodeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ArchiveException.Problem problem;

    DecodeException(ArchiveException.Problem problem, String message) {
        super(message);
        this.problem = problem;
    }

    static DecodeException malformed(String message) {
        return new DecodeException(ArchiveException.Problem.MALFORMED, message);
    }

    ArchiveException.Problem problem() { return problem; }
}
