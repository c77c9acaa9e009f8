package dev.gannet.server.grpc;

import io.vertx.grpc.common.GrpcStatus;

/** A refusal carried to the call's status: NOT_FOUND, INVALID_ARGUMENT, UNAVAILABLE, ... */
final class GrpcStatusException extends RuntimeException {
    final GrpcStatus status;

    GrpcStatusException(GrpcStatus status, String message) {
        super(message, null, false, false);
        this.status = status;
    }
}
