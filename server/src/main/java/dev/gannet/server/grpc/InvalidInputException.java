package dev.gannet.server.grpc;

/** A ModelInfer request the server rejects: answered with {@code INVALID_ARGUMENT}. */
final class InvalidInputException extends RuntimeException {
    InvalidInputException(String message) {
        super(message, null, false, false);
    }
}
