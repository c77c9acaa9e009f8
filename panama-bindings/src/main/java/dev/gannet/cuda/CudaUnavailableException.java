package dev.gannet.cuda;

/** A CUDA library (or one of its symbols) could not be found or opened; the message lists where we looked. */
public final class CudaUnavailableException extends RuntimeException {
    public CudaUnavailableException(String message) {
        super(message);
    }

    public CudaUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
