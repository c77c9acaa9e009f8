package dev.gannet.router.replica;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One upstream server. Its state is shared by the router's event loops and the health checker, so it
 * is held in atomics and volatiles: what the router has sent and not yet seen end (requests, estimated
 * tokens), what the replica itself last reported (waiting requests, KV cache usage), its health from
 * {@code /ready}, and the circuit breaker of passive ejection.
 */
public final class Replica {
    /** What the last {@code /ready} check said. */
    public enum Health {
        /** not checked yet: gets no requests until the first check answers 200 */
        UNCHECKED,
        READY,
        /** 503 while loading the model */
        NOT_READY,
        /** 503 "draining": finishing its requests before it stops */
        DRAINING,
        /** no answer (connection refused, timeout, bad status) */
        DOWN
    }

    private final URI uri;
    private final String id;
    private final CircuitBreaker breaker;
    private final AtomicInteger outstanding = new AtomicInteger();
    private final AtomicLong outstandingTokens = new AtomicLong();
    private volatile Health health = Health.UNCHECKED;
    private volatile double waiting;
    private volatile double kvUsage;
    private volatile boolean removed;

    public Replica(URI uri, CircuitBreaker breaker) {
        this.uri = normalize(uri);
        this.id = this.uri.toString();
        this.breaker = Objects.requireNonNull(breaker, "breaker");
    }

    /** {@code http(s)://host:port}, lower-case scheme and host, explicit port, no path. */
    public static URI normalize(URI u) {
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("replica " + u + ": the scheme must be http or https");
        }
        if (u.getHost() == null) throw new IllegalArgumentException("replica " + u + ": no host");
        String path = u.getRawPath();
        if (path != null && !path.isEmpty() && !path.equals("/")) {
            throw new IllegalArgumentException("replica " + u + ": give the server's root (http://host:port), not a path");
        }
        int port = u.getPort() > 0 ? u.getPort() : scheme.equals("https") ? 443 : 80;
        String host = u.getHost().toLowerCase(Locale.ROOT);
        return URI.create(scheme + "://" + host + ":" + port);
    }

    public URI uri() { return uri; }

    /** The metrics label and log name: the normalized URL. */
    public String id() { return id; }

    public String host() {
        String h = uri.getHost();
        return h.startsWith("[") ? h.substring(1, h.length() - 1) : h;
    }

    public int port() { return uri.getPort(); }

    public boolean ssl() { return uri.getScheme().equals("https"); }

    public CircuitBreaker breaker() { return breaker; }

    /** May take a new request now: ready, not ejected (or due a half-open trial), not removed. */
    public boolean available(long nowNanos) {
        return !removed && health == Health.READY && breaker.permits(nowNanos);
    }

    public Health health() { return health; }

    public void health(Health h) { health = Objects.requireNonNull(h); }

    public int outstanding() { return outstanding.get(); }

    public long outstandingTokens() { return outstandingTokens.get(); }

    /** A request of about {@code tokens} tokens (prompt + completion) was sent here. */
    public void begin(long tokens, long nowNanos) {
        outstanding.incrementAndGet();
        outstandingTokens.addAndGet(tokens);
        breaker.onDispatch(nowNanos);
    }

    /** The request sent with {@link #begin} ended (any way). */
    public void end(long tokens) {
        outstanding.decrementAndGet();
        outstandingTokens.addAndGet(-tokens);
    }

    /** {@code gannet:num_requests_waiting} at the last scrape. */
    public double waiting() { return waiting; }

    /** {@code gannet:kv_cache_usage_perc} (0..1) at the last scrape. */
    public double kvUsage() { return kvUsage; }

    public void reported(double waiting, double kvUsage) {
        this.waiting = waiting;
        this.kvUsage = kvUsage;
    }

    public boolean removed() { return removed; }

    void markRemoved() { removed = true; }

    @Override
    public String toString() { return id; }
}
