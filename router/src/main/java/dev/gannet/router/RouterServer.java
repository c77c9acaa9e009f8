package dev.gannet.router;

import dev.gannet.router.metrics.RouterMetrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gannet.router.policy.Policies;
import dev.gannet.router.policy.PolicyKind;
import dev.gannet.router.proxy.Forwarder;
import dev.gannet.router.proxy.OpenAiError;
import dev.gannet.router.replica.CircuitBreaker;
import dev.gannet.router.replica.Discovery;
import dev.gannet.router.replica.HealthChecker;
import dev.gannet.router.replica.Replica;
import dev.gannet.router.replica.ReplicaSet;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.net.InetAddress;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * {@code gannet router}'s server: one OpenAI-compatible endpoint over the replicas. Generation requests
 * are routed by the policy and forwarded by {@link Forwarder}; {@code /v1/models} and {@code /tokenize}
 * go to the least loaded replica; {@code /health}, {@code /ready} and {@code /metrics} are the router's
 * own, and {@code GET /router/replicas} shows what it knows of each replica.
 *
 * <p>Use: {@code start()} (reads the replica sources, checks every replica once, listens; the future holds
 * the port), on SIGTERM {@code drain()} then {@code close()}.
 */
public final class RouterServer {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RouterConfig cfg;
    private final Consumer<String> log;
    private final Vertx vertx = Vertx.vertx();
    private final RouterMetrics metrics = new RouterMetrics();
    private final ReplicaSet replicas;
    private final HttpClient upstream;
    private final HttpClient checks;
    private final HealthChecker health;
    private final Discovery discovery;
    private final Forwarder forwarder;
    private HttpServer server;

    public RouterServer(RouterConfig cfg, Consumer<String> log) {
        this(cfg, InetAddress::getAllByName, log);
    }

    RouterServer(RouterConfig cfg, Discovery.Resolver resolver, Consumer<String> log) {
        this.cfg = cfg;
        this.log = log;
        this.replicas = new ReplicaSet(() -> new CircuitBreaker(cfg.ejectAfter(), cfg.ejectFor()));
        metrics.follow(replicas);
        int connectMs = (int) Math.min(Integer.MAX_VALUE, cfg.connectTimeout().toMillis());
        // streams hold a connection each for their whole length: the pool must not be what limits them
        upstream = client(connectMs, 4096);
        checks = client(connectMs, 2);
        health = new HealthChecker(vertx, checks, replicas, cfg.healthInterval(), cfg.healthTimeout(), log);
        discovery = new Discovery(vertx, replicas, cfg.discoveryInterval(), cfg.replicasFile(), cfg.replicasDns(),
                resolver, log);
        forwarder = new Forwarder(vertx, upstream, replicas, Policies.create(cfg.policy(), replicas, cfg.policySettings()),
                Policies.create(PolicyKind.LEAST_LOAD, replicas, cfg.policySettings()), metrics, cfg.proxy(), log);
    }

    /**
     * A pooled client whose connections swallow their own errors: every failure also reaches the request
     * that was using the connection, which decides what it means (retry, error event); Vert.x would
     * otherwise log each reset of a replica a second time.
     */
    private HttpClient client(int connectMs, int poolSize) {
        return vertx.httpClientBuilder()
                .with(new HttpClientOptions().setConnectTimeout(connectMs).setKeepAlive(true))
                .with(new PoolOptions().setHttp1MaxSize(poolSize).setMaxWaitQueueSize(-1))
                .withConnectHandler(conn -> conn.exceptionHandler(e -> { }))
                .build();
    }

    /** Reads the replica sources, checks each replica once, then listens; the future holds the bound port. */
    public Future<Integer> start() {
        replicas.update("flags", cfg.replicas());
        return discovery.start().compose(v -> health.start()).compose(v -> {
            server = vertx.createHttpServer(new HttpServerOptions().setHost(cfg.host()).setPort(cfg.port())
                    .setHttp2ClearTextEnabled(true)).requestHandler(routes());
            return server.listen().map(HttpServer::actualPort);
        });
    }

    private Router routes() {
        Router router = Router.router(vertx);
        ApiKeys keys = new ApiKeys(cfg.apiKeys());
        BodyHandler body = BodyHandler.create(false).setBodyLimit(cfg.maxBodyBytes());
        router.get("/health").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json")
                .end("{\"status\":\"alive\"}"));
        router.get("/ready").handler(this::ready);
        router.get("/metrics").handler(ctx -> ctx.response()
                .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(metrics.scrape()));
        if (keys.enabled()) {
            for (String path : new String[] {"/v1/*", "/tokenize", "/detokenize", "/router/*"}) {
                router.route(path).handler(ctx -> {
                    if (keys.accepts(ctx.request().getHeader("Authorization"))) ctx.next();
                    else OpenAiError.unauthorized().send(ctx.response());
                });
            }
        }
        router.get("/router/replicas").handler(this::replicaStatus);
        router.post("/v1/completions").handler(body).handler(ctx -> forwarder.generation(ctx, "completions"));
        router.post("/v1/chat/completions").handler(body).handler(ctx -> forwarder.generation(ctx, "chat"));
        router.get("/v1/models").handler(ctx -> forwarder.passThrough(ctx, "models"));
        router.post("/tokenize").handler(body).handler(ctx -> forwarder.passThrough(ctx, "tokenize"));
        router.post("/detokenize").handler(body).handler(ctx -> forwarder.passThrough(ctx, "detokenize"));
        router.errorHandler(404, ctx -> OpenAiError.notFound(ctx.request().path()).send(ctx.response()));
        router.errorHandler(405, ctx -> new OpenAiError(405, "invalid_request_error", "method_not_allowed",
                "Method " + ctx.request().method() + " is not allowed on " + ctx.request().path(), 0).send(ctx.response()));
        router.errorHandler(413, ctx -> OpenAiError.payloadTooLarge(cfg.maxBodyBytes()).send(ctx.response()));
        router.errorHandler(400, ctx -> OpenAiError.badRequest("malformed request").send(ctx.response()));
        router.errorHandler(500, this::internalError);
        return router;
    }

    private void internalError(RoutingContext ctx) {
        if (ctx.failure() != null) log.accept("internal error on " + ctx.request().path() + ": " + ctx.failure());
        if (!ctx.response().headWritten()) {
            new OpenAiError(500, "server_error", "internal_error", "internal router error", 0).send(ctx.response());
        }
    }

    private void ready(RoutingContext ctx) {
        int available = replicas.available(System.nanoTime()).size();
        String state = forwarder.draining() ? "draining" : available > 0 ? "ready" : "no_replica";
        ctx.response().setStatusCode("ready".equals(state) ? 200 : 503).putHeader("Content-Type", "application/json")
                .end("{\"status\":\"" + state + "\",\"replicas_available\":" + available + "}");
    }

    private void replicaStatus(RoutingContext ctx) {
        long now = System.nanoTime();
        ObjectNode root = JSON.createObjectNode();
        root.put("policy", cfg.policy().wireName());
        ArrayNode list = root.putArray("replicas");
        for (Replica r : replicas.all()) {
            ObjectNode o = list.addObject();
            o.put("url", r.id());
            o.put("health", r.health().name().toLowerCase(Locale.ROOT));
            o.put("breaker", r.breaker().state(now).name().toLowerCase(Locale.ROOT));
            o.put("available", r.available(now));
            o.put("outstanding_requests", r.outstanding());
            o.put("outstanding_tokens", r.outstandingTokens());
            o.put("waiting", r.waiting());
            o.put("kv_cache_usage_perc", r.kvUsage());
        }
        ctx.response().putHeader("Content-Type", "application/json").end(root.toString());
    }

    /**
     * {@code /ready} answers 503 at once and new requests get 503; those in flight finish for up to the
     * shutdown timeout, then are cut. Completes when nothing is in flight. Idempotent.
     */
    public Future<Void> drain() {
        return forwarder.drain(cfg.shutdownTimeout().toMillis());
    }

    /** Stops the checks and the listener, then Vert.x. */
    public Future<Void> close() {
        health.stop();
        discovery.stop();
        Promise<Void> done = Promise.promise();
        Future<Void> closed = server == null ? Future.succeededFuture() : server.close();
        closed.onComplete(ar -> Thread.ofVirtual().start(() -> vertx.close().toCompletionStage()
                .whenComplete((v, e) -> {
                    metrics.close();
                    done.complete();
                })));
        return done.future();
    }

    public ReplicaSet replicas() {
        return replicas;
    }

    public RouterMetrics metrics() {
        return metrics;
    }

    public HealthChecker health() {
        return health;
    }

    public Forwarder forwarder() {
        return forwarder;
    }
}
