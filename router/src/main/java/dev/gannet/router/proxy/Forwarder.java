package dev.gannet.router.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gannet.router.metrics.RouterMetrics;
import dev.gannet.router.policy.RequestFacts;
import dev.gannet.router.policy.RoutingPolicy;
import dev.gannet.router.replica.ReplicaSet;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.ext.web.RoutingContext;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Hands each client request to a {@link ProxyExchange} and keeps the set in flight, for the drain:
 * once draining, new requests get 503, those in flight finish for up to the shutdown timeout and are
 * then cut.
 */
public final class Forwarder {
    private static final ObjectMapper JSON = new ObjectMapper();

    final Vertx vertx;
    final HttpClient client;
    final ReplicaSet replicas;
    final RouterMetrics metrics;
    final ProxySettings settings;
    final Consumer<String> log;
    private final RoutingPolicy policy;
    private final RoutingPolicy anyReplica;
    private final Set<ProxyExchange> inflight = ConcurrentHashMap.newKeySet();
    private final Object lock = new Object();
    private final Promise<Void> drained = Promise.promise();
    private volatile boolean draining;

    /**
     * @param policy      routes generation requests
     * @param anyReplica  routes requests that carry no prompt (models, tokenize): least load
     */
    public Forwarder(Vertx vertx, HttpClient client, ReplicaSet replicas, RoutingPolicy policy, RoutingPolicy anyReplica,
                     RouterMetrics metrics, ProxySettings settings, Consumer<String> log) {
        this.vertx = vertx;
        this.client = client;
        this.replicas = replicas;
        this.policy = policy;
        this.anyReplica = anyReplica;
        this.metrics = metrics;
        this.settings = settings;
        this.log = log;
    }

    /** A generation request (/v1/completions, /v1/chat/completions): its body picks the replica. */
    public void generation(RoutingContext ctx, String route) {
        Buffer body = ctx.body().buffer();
        JsonNode json;
        try {
            json = body == null ? null : JSON.readTree(body.getBytes());
        } catch (IOException e) {
            json = null;
        }
        if (json == null || !json.isObject()) {
            reply(ctx, route, OpenAiError.badRequest("the request body must be a JSON object"));
            return;
        }
        String session = settings.sessionHeader() == null ? null : ctx.request().getHeader(settings.sessionHeader());
        start(ctx, route, body, RequestFacts.of(json, session, settings.prefixChars()), policy);
    }

    /** Any other API request: sent to the least loaded replica as it is. */
    public void passThrough(RoutingContext ctx, String route) {
        Buffer body = ctx.body() == null ? null : ctx.body().buffer();
        start(ctx, route, body == null ? Buffer.buffer() : body, RequestFacts.none(), anyReplica);
    }

    private void start(RoutingContext ctx, String route, Buffer body, RequestFacts facts, RoutingPolicy p) {
        ProxyExchange ex = new ProxyExchange(this, ctx, route, body, facts, p);
        synchronized (lock) {
            if (draining) {
                reply(ctx, route, OpenAiError.unavailable("draining", "the router is shutting down"));
                return;
            }
            inflight.add(ex);
        }
        ex.start();
    }

    void reply(RoutingContext ctx, String route, OpenAiError error) {
        error.send(ctx.response());
        metrics.request(route, error.status(), 0);
    }

    void finished(ProxyExchange ex) {
        if (inflight.remove(ex) && draining && inflight.isEmpty()) drained.tryComplete();
    }

    public boolean draining() {
        return draining;
    }

    public int inflight() {
        return inflight.size();
    }

    /** Stops admitting; completes when nothing is in flight, cutting what is left after {@code timeoutMillis}. */
    public Future<Void> drain(long timeoutMillis) {
        boolean first;
        synchronized (lock) {
            first = !draining;
            draining = true;
        }
        if (first) {
            if (inflight.isEmpty()) {
                drained.tryComplete();
            } else {
                vertx.setTimer(Math.max(1, timeoutMillis), t -> {
                    for (ProxyExchange ex : inflight) ex.abort("the router is shutting down");
                    vertx.setTimer(1000, t2 -> drained.tryComplete());
                });
            }
        }
        return drained.future();
    }
}
