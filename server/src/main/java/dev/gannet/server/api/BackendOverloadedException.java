package dev.gannet.server.api;

/** Thrown by {@link ServingBackend#submit} when the waiting queue is full: the server answers 429. */
public final class BackendOverloadedException extends RuntimeException {
    private final int retryAfterSeconds;

    public BackendOverloadedException(String message, int retryAfterSeconds) {
        super(message);
        if (retryAfterSeconds < 1) {
            throw new IllegalArgumentException("retryAfterSeconds must be >= 1, got " + retryAfterSeconds);
        }
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** Value of the {@code Retry-After} header. */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
