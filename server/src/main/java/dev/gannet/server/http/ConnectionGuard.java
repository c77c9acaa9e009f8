package dev.gannet.server.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.timeout.IdleStateHandler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.impl.ConnectionBase;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Connection timeouts that tell a silent client from a silent generation. Vert.x's idle timeout is set to the
 * header timeout, so a connection that sends no complete request head (a slow-headers client, or bytes that are not
 * HTTP at all, such as a TLS handshake sent to the plain port, which would otherwise wait forever for a line end) is
 * closed. While a request is in progress on a connection (a queued generation says nothing for minutes) this guard
 * swaps the connection's idle handler for a disabled one, checks instead that the request's body arrived within the
 * header timeout, and when the last request ends puts back an idle handler with the keep-alive timeout.
 *
 * <p>Vert.x has no public API for a per-connection idle timeout, so this reaches its Netty pipeline through
 * {@code ConnectionBase.channel()} (Vert.x 5 internals; {@code ConnectionLimitsTest} fails if they change). Pipeline
 * edits run on the channel's event loop; the sweep, once a second, only reads.
 */
final class ConnectionGuard {
    private static final String IDLE = "idle"; // the name Vert.x gives its IdleStateHandler
    private final long headerNanos;
    private final long keepAliveMillis;
    private final Map<Channel, Conn> busy = new ConcurrentHashMap<>();

    /** A connection with requests in progress. */
    private static final class Conn {
        final Map<HttpServerRequest, Long> requests = new ConcurrentHashMap<>(); // request -> body deadline start
    }

    ConnectionGuard(long headerMillis, long keepAliveMillis) {
        this.headerNanos = headerMillis * 1_000_000L;
        this.keepAliveMillis = keepAliveMillis;
    }

    /** Starts the once-a-second sweep; the caller cancels the returned timer on close. */
    long start(Vertx vertx) {
        return vertx.setPeriodic(1000, t -> sweep(System.nanoTime()));
    }

    /**
     * A request arrived (its head is complete). Called on the connection's event loop.
     *
     * @param bodyDeadline whether its body must arrive within the header timeout (not for gRPC calls, whose client
     *                     stream stays open for the call's life)
     */
    void request(HttpServerRequest r, boolean bodyDeadline) {
        if (!(r.connection() instanceof ConnectionBase cb)) {
            return;
        }
        Channel ch = cb.channel();
        Conn c = busy.computeIfAbsent(ch, k -> {
            setIdle(ch, 0); // a request in progress may be silent for as long as it takes
            ch.closeFuture().addListener(f -> busy.remove(ch));
            return new Conn();
        });
        c.requests.put(r, bodyDeadline ? System.nanoTime() : Long.MAX_VALUE);
    }

    /** Connections with a request in progress (tests). */
    int busyConnections() {
        return busy.size();
    }

    void sweep(long now) {
        for (Map.Entry<Channel, Conn> e : busy.entrySet()) {
            Channel ch = e.getKey();
            Conn c = e.getValue();
            boolean slowBody = false;
            for (var it = c.requests.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<HttpServerRequest, Long> r = it.next();
                HttpServerRequest req = r.getKey();
                if (req.response().ended() || req.response().closed()) {
                    it.remove();
                } else if (r.getValue() != Long.MAX_VALUE && !req.isEnded() && now - r.getValue() > headerNanos) {
                    slowBody = true; // its body is still trickling in
                }
            }
            if (slowBody) {
                busy.remove(ch);
                ch.close();
            } else if (c.requests.isEmpty()) {
                ch.eventLoop().execute(() -> {
                    // a request may have arrived since: only an idle connection gets its keep-alive timer back
                    if (c.requests.isEmpty() && busy.remove(ch, c)) setIdle(ch, keepAliveMillis);
                });
            }
        }
    }

    /** Replaces Vert.x's idle handler: 0 disables it. On the channel's event loop. */
    private static void setIdle(Channel ch, long millis) {
        ChannelPipeline p = ch.pipeline();
        if (p.get(IDLE) != null) {
            p.replace(IDLE, IDLE, new IdleStateHandler(0, 0, millis, TimeUnit.MILLISECONDS));
        }
    }
}
