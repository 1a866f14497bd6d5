package dev.kiln.runtime.server;

/**
 * A request the server refuses: the HTTP status (400 for bad input, 404 for an unknown model or version, 503 while
 * shutting down) and the message that goes into the protocol's {@code {"error": "..."}} body. The message names the
 * offending field (for example {@code inputs[0].shape}).
 */
final class ApiException extends RuntimeException {
    private final int status;

    ApiException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    static ApiException badRequest(String message) { return new ApiException(400, message); }

    static ApiException notFound(String message) { return new ApiException(404, message); }

    int status() { return status; }
}
