package dev.gannet.server.grpc;

import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.InvalidMessageException;
import io.vertx.grpc.common.MessageSizeOverflowException;
import io.vertx.grpc.server.GrpcServerRequest;

import java.util.function.Consumer;

/**
 * Unary-call discipline: a unary gRPC call carries exactly one request message. Vert.x hands messages to a handler
 * as they come, so a call that ends with none would wait for the client's deadline, and a second one would be
 * served twice; both are INVALID_ARGUMENT here. A message that is not valid protobuf is INVALID_ARGUMENT (Vert.x would
 * report CANCELLED), and one over the size limit RESOURCE_EXHAUSTED with the limit in the message.
 */
final class OneMessage {
    private OneMessage() {
    }

    /** Calls {@code onMessage} with the call's one message once the client has finished sending. */
    static <Q> void read(GrpcServerRequest<Q, ?> call, long maxBytes, Consumer<Q> onMessage) {
        var state = new Object() {
            Q first;
            int count;
            boolean failed;
        };
        call.invalidMessageHandler(e -> {
            if (!state.failed) {
                state.failed = true;
                KServeService.fail(call.response(), invalid(e, maxBytes));
            }
        });
        call.handler(m -> {
            if (state.failed) {
                return;
            }
            if (m == null) { // the lenient decoder's mark for bytes that are not this method's protobuf message
                state.failed = true;
                KServeService.fail(call.response(), new GrpcStatusException(GrpcStatus.INVALID_ARGUMENT,
                        "the request message is not valid protobuf for " + call.methodName()));
            } else if (++state.count == 1) {
                state.first = m;
            } else {
                state.failed = true;
                KServeService.fail(call.response(), new GrpcStatusException(GrpcStatus.INVALID_ARGUMENT,
                        "a unary call carries exactly one request message; this one sent a second"));
            }
        });
        call.endHandler(v -> {
            if (state.failed) {
                return;
            }
            if (state.count == 0) {
                KServeService.fail(call.response(), new GrpcStatusException(GrpcStatus.INVALID_ARGUMENT,
                        "the call ended without a request message"));
                return;
            }
            onMessage.accept(state.first);
        });
    }

    /** The status for a message Vert.x could not take: too large, or not protobuf. */
    static GrpcStatusException invalid(InvalidMessageException e, long maxBytes) {
        if (e instanceof MessageSizeOverflowException big) {
            return new GrpcStatusException(GrpcStatus.RESOURCE_EXHAUSTED, "the request message of " + big.messageSize()
                    + " bytes is over this server's limit of " + maxBytes + " bytes (max_body_size, the same as for HTTP)");
        }
        return new GrpcStatusException(GrpcStatus.INVALID_ARGUMENT, "the request message is not valid protobuf for this "
                + "method" + (e.getCause() == null ? "" : ": " + e.getCause().getMessage()));
    }
}
