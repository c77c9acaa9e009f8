package dev.gannet.loadtest;

/** The names errors are counted under in reports. */
public final class ErrorKinds {

    /** No answer, or no complete stream, within {@code --timeout}. */
    public static final String TIMEOUT = "timeout";
    /** The connection broke, or the stream ended without {@code data: [DONE]}. */
    public static final String DISCONNECT = "disconnect";
    /** The server refused the connection. */
    public static final String CONNECT = "connect";
    /** A line that is not SSE, or a {@code data:} payload that is neither JSON nor {@code [DONE]}. */
    public static final String MALFORMED_SSE = "malformed_sse";
    /** The stream carried an {@code {"error": ...}} object. */
    public static final String STREAM_ERROR = "stream_error";
    /** The stream ended properly but carried no content at all. */
    public static final String NO_OUTPUT = "no_output";

    private ErrorKinds() {
    }

    /** {@code http_429}, {@code http_500}, ... */
    public static String http(int status) {
        return "http_" + status;
    }
}
