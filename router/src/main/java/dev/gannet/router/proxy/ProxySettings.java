package dev.gannet.router.proxy;

import java.time.Duration;

/**
 * How requests are forwarded.
 *
 * @param maxAttempts       replicas one request may be sent to (1 = no retry); retries happen only before the
 *                          first byte of the answer went to the client
 * @param firstByteTimeout  a streaming request whose replica sends no byte in this time is tried elsewhere
 *                          (ZERO = wait; non-streaming answers only come whole, so they are not timed this way)
 * @param requestTimeout    the whole request, arrival to end; then 504 (or the stream ends with an error event)
 * @param replicaApiKey     sent to the replicas as the bearer key instead of the client's header; null = pass
 *                          the client's {@code Authorization} on
 * @param sessionHeader     header naming the session for the session policy, or null
 * @param prefixChars       leading characters of the prompt that form the prefix key
 */
public record ProxySettings(int maxAttempts, Duration firstByteTimeout, Duration requestTimeout, String replicaApiKey,
                            String sessionHeader, int prefixChars) {
    public ProxySettings {
        if (maxAttempts < 1) throw new IllegalArgumentException("max attempts must be >= 1, got " + maxAttempts);
        if (firstByteTimeout.isNegative()) throw new IllegalArgumentException("first byte timeout must be >= 0");
        if (requestTimeout.isNegative() || requestTimeout.isZero()) throw new IllegalArgumentException("request timeout must be > 0");
        if (prefixChars < 1) throw new IllegalArgumentException("prefix chars must be >= 1, got " + prefixChars);
    }
}
