package dev.gannet.server.http;

import dev.gannet.runtime.sampler.ParameterException;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

import java.io.PrintStream;

/**
 * The catch-all failure handler: every failure becomes OpenAI's error JSON with the right status.
 * Unexpected exceptions are a 500 whose body names no internals; their stack trace goes to the
 * server's stderr only.
 */
final class ErrorResponses {
    private final long maxBodyBytes;
    private final PrintStream serverLog;

    ErrorResponses(long maxBodyBytes, PrintStream serverLog) {
        this.maxBodyBytes = maxBodyBytes;
        this.serverLog = serverLog;
    }

    void handle(RoutingContext ctx) {
        ApiException error = toApiException(ctx);
        HttpServerResponse response = ctx.response();
        if (response.headWritten()) {
            // mid-stream: the status is gone, so end the stream with an error event
            if (!response.ended() && !response.closed()) {
                response.end("data: " + OpenAiJson.write(OpenAiJson.error(error)) + "\n\ndata: [DONE]\n\n");
            }
            return;
        }
        response.setStatusCode(error.status());
        response.putHeader("Content-Type", "application/json");
        if (error.retryAfterSeconds() > 0) {
            response.putHeader("Retry-After", Integer.toString(error.retryAfterSeconds()));
        }
        response.end(OpenAiJson.write(OpenAiJson.error(error)));
    }

    private ApiException toApiException(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        if (failure instanceof ApiException api) {
            return api;
        }
        if (failure instanceof ParameterException p) {
            return ApiException.badRequest(p.param(), p.getMessage());
        }
        String method = ctx.request().method().name();
        String path = ctx.request().path();
        return switch (ctx.statusCode()) {
            case 400 -> ApiException.badRequest(null, "malformed request");
            case 401 -> ApiException.unauthorized();
            case 404 -> ApiException.notFound(path);
            case 405 -> ApiException.methodNotAllowed(method, path);
            case 413 -> ApiException.payloadTooLarge(maxBodyBytes);
            default -> {
                if (failure != null) {
                    serverLog.println("internal error on " + method + " " + path + ":");
                    failure.printStackTrace(serverLog);
                }
                yield ApiException.internal("internal server error");
            }
        };
    }
}
