package dev.gannet.loadtest;

/**
 * What one request measured. Times are {@link System#nanoTime()} based.
 *
 * @param startNanos     when the request was sent, relative to the start of its sweep point
 * @param endNanos       when it ended (last byte, error or timeout), same origin
 * @param tokenNanos     arrival of each content-bearing SSE chunk, relative to {@code startNanos}
 * @param outputTokens   from the server's {@code usage} when reported, else the count of content chunks
 * @param usageReported  whether {@code outputTokens} came from {@code usage}
 * @param promptTokens   the server's {@code usage.prompt_tokens}, else the planned count
 * @param error          error kind ({@code http_429}, {@code timeout}, ...) or null when it succeeded
 * @param retryAfterMs   the {@code Retry-After} of an error answer in ms, or -1
 */
public record RequestResult(int conversation, int turn, long startNanos, long endNanos, long[] tokenNanos,
                            int outputTokens, boolean usageReported, int promptTokens, String error,
                            long retryAfterMs) {

    public RequestResult {
        if (tokenNanos == null) {
            throw new IllegalArgumentException("tokenNanos is null (use an empty array)");
        }
        if (endNanos < startNanos) {
            throw new IllegalArgumentException("request ends before it starts: " + startNanos + " > " + endNanos);
        }
    }

    public boolean ok() {
        return error == null;
    }

    /** Time to first token in ns, or -1 when no token arrived. */
    public long ttftNanos() {
        return tokenNanos.length == 0 ? -1 : tokenNanos[0];
    }

    public long e2eNanos() {
        return endNanos - startNanos;
    }

    /** Time per output token after the first: (E2E - TTFT) / (tokens - 1); -1 when undefined. */
    public long tpotNanos() {
        if (tokenNanos.length == 0 || outputTokens < 2) {
            return -1;
        }
        return (e2eNanos() - ttftNanos()) / (outputTokens - 1);
    }

    /** The largest gap between consecutive content chunks, 0 with fewer than two chunks. */
    public long maxGapNanos() {
        long max = 0;
        for (int i = 1; i < tokenNanos.length; i++) {
            max = Math.max(max, tokenNanos[i] - tokenNanos[i - 1]);
        }
        return max;
    }
}
