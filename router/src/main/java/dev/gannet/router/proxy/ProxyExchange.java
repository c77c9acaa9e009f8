package dev.gannet.router.proxy;

import dev.gannet.router.policy.RequestFacts;
import dev.gannet.router.policy.RoutingPolicy;
import dev.gannet.router.replica.Replica;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One client request on its way through the router. All of it runs on the client connection's event loop
 * (the upstream request is made from that context, so its callbacks come back there): no locks.
 *
 * <p>The answer is committed to the client with the first byte of the replica's body, not with its
 * headers: until then nothing has reached the client and the request may go to another replica (connect
 * failure, reset, 429/5xx, wrong content type, no first byte in time). After it, the body is piped chunk by
 * chunk with back-pressure (the replica's response pauses while the client's write queue is full), and a
 * failure ends the client's stream with an error event. A client that leaves resets the upstream request,
 * which makes a Gannet replica abort the sequence.
 */
final class ProxyExchange {
    /** Headers that describe one hop, never forwarded (RFC 9110 7.6.1), plus those the client library sets. */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length");

    private final Forwarder f;
    private final Context context;
    private final HttpServerRequest clientReq;
    private final HttpServerResponse clientResp;
    private final String route;
    private final Buffer body;
    private final RequestFacts facts;
    private final RoutingPolicy policy;
    private final long arrivedAt = System.nanoTime();
    private final List<Replica> tried = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();
    private Attempt current;
    private Held refusal;
    private boolean committed;
    private boolean finished;
    private int status;
    private long requestTimer = -1;

    /** One send to one replica. */
    private final class Attempt {
        final Replica replica;
        final long sentAt = System.nanoTime();
        HttpClientRequest request;
        long firstByteTimer = -1;
        boolean over;

        Attempt(Replica replica) {
            this.replica = replica;
        }

        boolean live() {
            return !over && current == this && !finished;
        }
    }

    /** A retryable refusal (429, 5xx) kept to pass on if no other replica can take the request. */
    private record Held(int status, MultiMap headers, Buffer body) {}

    ProxyExchange(Forwarder f, RoutingContext ctx, String route, Buffer body, RequestFacts facts, RoutingPolicy policy) {
        this.f = f;
        this.context = Vertx.currentContext();
        this.clientReq = ctx.request();
        this.clientResp = ctx.response();
        this.route = route;
        this.body = body;
        this.facts = facts;
        this.policy = policy;
    }

    void start() {
        clientResp.closeHandler(v -> onClientGone());
        requestTimer = f.vertx.setTimer(f.settings.requestTimeout().toMillis(), t -> cut(true, "the request took longer than "
                + f.settings.requestTimeout().toSeconds() + " s"));
        tryNext(null);
    }

    /** Cut from outside (drain timeout): hops onto this exchange's event loop. */
    void abort(String why) {
        context.runOnContext(v -> cut(false, why));
    }

    private void tryNext(String retryReason) {
        if (finished) return;
        long now = System.nanoTime();
        List<Replica> candidates = f.replicas.available(now);
        candidates.removeIf(tried::contains);
        if (tried.size() >= f.settings.maxAttempts() || candidates.isEmpty()) {
            giveUp();
            return;
        }
        if (retryReason != null) f.metrics.retry(retryReason);
        dispatch(policy.choose(facts, candidates), now);
    }

    private void dispatch(Replica r, long now) {
        Attempt a = new Attempt(r);
        current = a;
        tried.add(r);
        r.begin(facts.tokens(), now);
        if (facts.stream() && f.settings.firstByteTimeout().toMillis() > 0) {
            a.firstByteTimer = f.vertx.setTimer(f.settings.firstByteTimeout().toMillis(), t -> {
                if (a.live() && !committed) fail(a, "first_byte_timeout", true);
            });
        }
        RequestOptions opts = new RequestOptions().setMethod(clientReq.method()).setHost(r.host()).setPort(r.port())
                .setSsl(r.ssl()).setURI(clientReq.uri());
        for (Map.Entry<String, String> h : clientReq.headers()) {
            if (!HOP_BY_HOP.contains(h.getKey().toLowerCase(Locale.ROOT))) opts.addHeader(h.getKey(), h.getValue());
        }
        if (f.settings.replicaApiKey() != null) opts.putHeader("Authorization", "Bearer " + f.settings.replicaApiKey());
        f.client.request(opts).onComplete(ar -> {
            if (ar.failed()) {
                if (a.live()) fail(a, "connect_error", true);
                return;
            }
            HttpClientRequest req = ar.result();
            a.request = req;
            if (!a.live()) {
                req.reset();
                return;
            }
            req.send(body).onComplete(rr -> {
                if (!a.live()) {
                    if (rr.succeeded()) {
                        rr.result().exceptionHandler(e -> { });
                        req.reset();
                    }
                    return;
                }
                if (rr.failed()) {
                    fail(a, "reset", true);
                } else {
                    onResponse(a, rr.result());
                }
            });
        });
    }

    private void onResponse(Attempt a, HttpClientResponse resp) {
        int code = resp.statusCode();
        if (code == 429 || code >= 500) {
            resp.body().onComplete(b -> {
                if (!a.live()) return;
                refusal = new Held(code, MultiMap.caseInsensitiveMultiMap().addAll(resp.headers()),
                        b.succeeded() ? b.result() : Buffer.buffer());
                if (code == 503) {
                    // loading or draining: the health check will say when it takes requests again
                    String text = refusal.body().toString().toLowerCase(Locale.ROOT);
                    a.replica.health(text.contains("draining") ? Replica.Health.DRAINING : Replica.Health.NOT_READY);
                }
                fail(a, Integer.toString(code), code != 429 && code != 503);
            });
            return;
        }
        if (code / 100 == 2 && !contentTypeFits(resp.getHeader("Content-Type"))) {
            resp.exceptionHandler(e -> { });  // the reset in fail() is ours
            fail(a, "wrong_content", true);
            return;
        }
        resp.handler(buf -> onData(a, resp, buf));
        resp.endHandler(v -> onEnd(a, resp));
        resp.exceptionHandler(e -> onUpstreamError(a, e));
    }

    /** A 2xx answer must be what was asked for: SSE for a stream, JSON otherwise. */
    private boolean contentTypeFits(String type) {
        if (type == null) return false;
        String t = type.toLowerCase(Locale.ROOT);
        return facts.stream() ? t.startsWith("text/event-stream") : t.startsWith("application/json");
    }

    private void onData(Attempt a, HttpClientResponse resp, Buffer buf) {
        if (!a.live()) return;
        if (!committed) commit(a, resp);
        clientResp.write(buf);
        if (clientResp.writeQueueFull()) {
            resp.pause();
            clientResp.drainHandler(v -> resp.resume());
        }
    }

    private void onEnd(Attempt a, HttpClientResponse resp) {
        if (!a.live()) return;
        if (!committed) commit(a, resp);
        endAttempt(a, Integer.toString(resp.statusCode()));
        a.replica.breaker().onSuccess();
        clientResp.end();
        finish(resp.statusCode());
    }

    private void onUpstreamError(Attempt a, Throwable e) {
        if (!a.live()) return;
        if (!committed) {
            fail(a, "reset", true);
            return;
        }
        endAttempt(a, "reset_mid_stream");
        breakerFailure(a.replica);
        f.log.accept("replica " + a.replica.id() + " failed mid-answer: " + e.getMessage());
        endClientWithError(OpenAiError.badGateway("replica " + a.replica.id() + " failed mid-answer; the output is incomplete"));
    }

    private void commit(Attempt a, HttpClientResponse resp) {
        committed = true;
        f.metrics.upstreamLatency(a.replica, System.nanoTime() - a.sentAt);
        if (a.firstByteTimer >= 0) f.vertx.cancelTimer(a.firstByteTimer);
        status = resp.statusCode();
        clientResp.setStatusCode(status);
        for (Map.Entry<String, String> h : resp.headers()) {
            if (!HOP_BY_HOP.contains(h.getKey().toLowerCase(Locale.ROOT))) clientResp.headers().add(h.getKey(), h.getValue());
        }
        clientResp.putHeader("X-Gannet-Replica", a.replica.id());
        String length = resp.getHeader("Content-Length");
        if (length != null) {
            clientResp.putHeader("Content-Length", length);
        } else {
            clientResp.setChunked(true);
        }
    }

    /** The attempt failed before anything reached the client: count it and try the next replica. */
    private void fail(Attempt a, String reason, boolean replicaFault) {
        endAttempt(a, reason);
        if (a.request != null) a.request.reset();
        if (replicaFault) {
            breakerFailure(a.replica);
        } else {
            a.replica.breaker().onCancel();
        }
        failures.add(a.replica.id() + ": " + reason);
        tryNext(reason);
    }

    private void endAttempt(Attempt a, String outcome) {
        a.over = true;
        if (a.firstByteTimer >= 0) f.vertx.cancelTimer(a.firstByteTimer);
        a.replica.end(facts.tokens());
        f.metrics.upstream(a.replica, outcome);
    }

    private void breakerFailure(Replica r) {
        if (r.breaker().onFailure(System.nanoTime())) {
            f.metrics.ejection(r);
            f.log.accept("replica " + r.id() + ": ejected after failures (circuit breaker open)");
        }
    }

    /** No replica could take the request: pass on the last refusal, or say why. */
    private void giveUp() {
        if (refusal != null) {
            clientResp.setStatusCode(refusal.status());
            for (String h : new String[] {"Content-Type", "Retry-After"}) {
                String v = refusal.headers().get(h);
                if (v != null) clientResp.putHeader(h, v);
            }
            clientResp.end(refusal.body());
            finish(refusal.status());
            return;
        }
        OpenAiError e = tried.isEmpty()
                ? OpenAiError.unavailable("no_replica", "no replica is available to take the request")
                : OpenAiError.badGateway("no replica could serve the request (" + String.join("; ", failures) + ")");
        e.send(clientResp);
        finish(e.status());
    }

    private void onClientGone() {
        if (finished) return;
        Attempt a = current;
        if (a != null && !a.over) {
            endAttempt(a, "cancelled");
            a.replica.breaker().onCancel();
            if (a.request != null) a.request.reset();
        }
        finish(499);  // nginx's "client closed request": no answer was completed
    }

    /** Request timeout or drain: end what is in flight, telling the client if it still listens. */
    private void cut(boolean timeout, String why) {
        if (finished) return;
        Attempt a = current;
        if (a != null && !a.over) {
            endAttempt(a, "cancelled");
            a.replica.breaker().onCancel();
            if (a.request != null) a.request.reset();
        }
        OpenAiError e = timeout ? OpenAiError.gatewayTimeout(why) : OpenAiError.unavailable("draining", why);
        if (!committed) {
            e.send(clientResp);
            finish(e.status());
        } else {
            endClientWithError(e);
        }
    }

    /** The head went out already: end an SSE stream with an error event, anything else by resetting it. */
    private void endClientWithError(OpenAiError e) {
        String type = clientResp.headers().get("Content-Type");
        if (type != null && type.toLowerCase(Locale.ROOT).startsWith("text/event-stream") && !clientResp.ended()) {
            clientResp.end("data: " + e.json() + "\n\ndata: [DONE]\n\n");
        } else if (!clientResp.ended()) {
            clientResp.reset();
        }
        finish(status);
    }

    private void finish(int finalStatus) {
        if (finished) return;
        finished = true;
        if (requestTimer >= 0) f.vertx.cancelTimer(requestTimer);
        f.metrics.request(route, finalStatus, System.nanoTime() - arrivedAt);
        f.finished(this);
    }
}
