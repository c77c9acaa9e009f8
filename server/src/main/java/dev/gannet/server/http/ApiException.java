package dev.gannet.server.http;

/**
 * A request the server refuses, carried to the failure handler that writes OpenAI's error JSON
 * {@code {"error":{"message","type","param","code"}}}. Never holds a stack trace for the client.
 */
public final class ApiException extends RuntimeException {
    private final int status;
    private final String type;
    private final String param;
    private final String code;
    private final int retryAfterSeconds;

    public ApiException(int status, String type, String message, String param, String code, int retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** 400 naming the offending field. */
    public static ApiException badRequest(String param, String message) {
        return new ApiException(400, "invalid_request_error", message, param, null, 0);
    }

    public static ApiException unauthorized() {
        return new ApiException(401, "invalid_request_error",
                "Missing or incorrect API key: send 'Authorization: Bearer <key>'", null, "invalid_api_key", 0);
    }

    public static ApiException modelNotFound(String model) {
        return new ApiException(404, "invalid_request_error",
                "The model '" + model + "' does not exist", "model", "model_not_found", 0);
    }

    public static ApiException notFound(String path) {
        return new ApiException(404, "invalid_request_error", "Unknown path: " + path, null, "not_found", 0);
    }

    public static ApiException methodNotAllowed(String method, String path) {
        return new ApiException(405, "invalid_request_error",
                "Method " + method + " is not allowed on " + path, null, "method_not_allowed", 0);
    }

    public static ApiException payloadTooLarge(long limit) {
        return new ApiException(413, "invalid_request_error",
                "Request body exceeds the limit of " + limit + " bytes", null, "payload_too_large", 0);
    }

    public static ApiException overloaded(String message, int retryAfterSeconds) {
        return new ApiException(429, "rate_limit_error", message, null, "queue_full", retryAfterSeconds);
    }

    public static ApiException unavailable(String message, String code) {
        return new ApiException(503, "service_unavailable", message, null, code, 1);
    }

    public static ApiException internal(String message) {
        return new ApiException(500, "server_error", message, null, "internal_error", 0);
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String param() {
        return param;
    }

    public String code() {
        return code;
    }

    /** Seconds for a Retry-After header; 0 = none. */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
