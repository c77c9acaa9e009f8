package dev.gannet.router.proxy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.http.HttpServerResponse;

/**
 * An answer the router gives itself, in OpenAI's error JSON {@code {"error":{"message","type","param","code"}}},
 * the format the replicas use, so a client cannot tell which of the two refused it.
 */
public record OpenAiError(int status, String type, String code, String message, int retryAfterSeconds) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public OpenAiError {
        if (status < 400 || status > 599) throw new IllegalArgumentException("not an error status: " + status);
    }

    public static OpenAiError badRequest(String message) {
        return new OpenAiError(400, "invalid_request_error", null, message, 0);
    }

    public static OpenAiError unauthorized() {
        return new OpenAiError(401, "invalid_request_error", "invalid_api_key",
                "Missing or incorrect API key: send 'Authorization: Bearer <key>'", 0);
    }

    public static OpenAiError notFound(String path) {
        return new OpenAiError(404, "invalid_request_error", "not_found", "Unknown path: " + path, 0);
    }

    public static OpenAiError payloadTooLarge(long limit) {
        return new OpenAiError(413, "invalid_request_error", "payload_too_large",
                "Request body exceeds the limit of " + limit + " bytes", 0);
    }

    public static OpenAiError unavailable(String code, String message) {
        return new OpenAiError(503, "service_unavailable", code, message, 1);
    }

    public static OpenAiError badGateway(String message) {
        return new OpenAiError(502, "server_error", "upstream_failed", message, 1);
    }

    public static OpenAiError gatewayTimeout(String message) {
        return new OpenAiError(504, "server_error", "upstream_timeout", message, 0);
    }

    /** The JSON object {@code {"error":{...}}}. */
    public String json() {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode e = root.putObject("error");
        e.put("message", message);
        e.put("type", type);
        e.putNull("param");
        if (code == null) e.putNull("code"); else e.put("code", code);
        return root.toString();
    }

    /** Sends this as the whole response (the head must not have been written). */
    public void send(HttpServerResponse response) {
        response.setStatusCode(status).putHeader("Content-Type", "application/json");
        if (retryAfterSeconds > 0) response.putHeader("Retry-After", Integer.toString(retryAfterSeconds));
        response.end(json());
    }
}
