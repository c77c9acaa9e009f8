package dev.gannet.server.http;

import dev.gannet.server.api.ServingBackend;
import dev.gannet.server.common.ApiKeyAuth;
import dev.gannet.server.common.Inflight;
import dev.gannet.server.common.TokenizeBudget;
import dev.gannet.server.config.ServerConfig;
import dev.gannet.server.grpc.KServeService;
import dev.gannet.server.metrics.ServerMetrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.CorsHandler;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;

import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The front end: OpenAI-compatible HTTP API, health/ready/metrics and the KServe v2 gRPC service,
 * all on one port speaking HTTP/1.1 and HTTP/2 cleartext (prior knowledge and upgrade).
 * Requests with {@code content-type: application/grpc*} go to gRPC, everything else to the router.
 *
 * <p>Use: {@code new GannetServer(options, backend).start()} gives the bound port; on SIGTERM call
 * {@link #drain()} (ready turns 503 at once, new requests get 503, in-flight ones finish for up to
 * the shutdown timeout) and then {@link #close()}.
 */
public final class GannetServer {
    private final Vertx vertx;
    private final boolean ownsVertx;
    private final ServerOptions options;
    private final ServingBackend backend;
    private final ServerMetrics metrics;
    private final Inflight inflight = new Inflight();
    private final TokenizeBudget tokenizeBudget;
    private final Clock clock;
    private final Consumer<String> logSink;
    private HttpServer server;
    private ConnectionGuard guard;
    private long guardTimer = -1;

    /**
     * A server with its own Vert.x instance, whose HTTP/event-loop metrics (vertx-micrometer-metrics)
     * join {@code /metrics}; request log lines go to stdout.
     */
    public GannetServer(ServerOptions options, ServingBackend backend) {
        this(new ServerMetrics(options.servedModelName(), backend::stats), options, backend);
    }

    private GannetServer(ServerMetrics metrics, ServerOptions options, ServingBackend backend) {
        this(vertxWithMetrics(metrics), true, options, backend, System.out::println, metrics, Clock.systemDefaultZone());
    }

    /** A server on a given Vert.x (not closed by {@link #close()}, no Vert.x metrics) with a request log sink. */
    public GannetServer(Vertx vertx, ServerOptions options, ServingBackend backend, Consumer<String> logSink) {
        this(vertx, options, backend, logSink, Clock.systemDefaultZone());
    }

    /** As above, with the clock chat templates read through {@code strftime_now} (tests fix the date). */
    public GannetServer(Vertx vertx, ServerOptions options, ServingBackend backend, Consumer<String> logSink, Clock clock) {
        this(vertx, false, options, backend, logSink, new ServerMetrics(options.servedModelName(), backend::stats), clock);
    }

    private GannetServer(Vertx vertx, boolean ownsVertx, ServerOptions options, ServingBackend backend,
                         Consumer<String> logSink, ServerMetrics metrics, Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.ownsVertx = ownsVertx;
        this.options = Objects.requireNonNull(options, "options");
        this.backend = Objects.requireNonNull(backend, "backend");
        this.logSink = Objects.requireNonNull(logSink, "logSink");
        this.metrics = metrics;
        // two bodies of the largest size may be tokenized at once; more waits for a retry (429)
        this.tokenizeBudget = new TokenizeBudget(2 * options.maxBodyBytes());
    }

    /**
     * vertx-micrometer-metrics 5.0.7 registers its per-connection gauges again for every new connection, which
     * Micrometer 1.16 reports once as a warning ("This Gauge has been already registered"); the registration is
     * ignored and the figures are right, so that logger only speaks up for errors. Held here: JUL keeps loggers weakly.
     */
    private static final java.util.logging.Logger DOUBLE_REGISTRATION =
            java.util.logging.Logger.getLogger("io.micrometer.core.instrument.MeterRegistry");

    static {
        DOUBLE_REGISTRATION.setLevel(java.util.logging.Level.SEVERE);
    }

    private static Vertx vertxWithMetrics(ServerMetrics metrics) {
        return Vertx.builder()
                .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)))
                .withMetrics(new MicrometerMetricsFactory(metrics.registry()))
                .build();
    }

    /** Binds and starts serving; the future holds the bound port (useful with port 0). */
    public Future<Integer> start() {
        ChatTemplate override = options.chatTemplate() == null ? null : new ChatTemplate(options.chatTemplate(), clock);
        if (override != null && override.syntaxError() != null) {
            return Future.failedFuture(new IllegalArgumentException("--chat-template: " + override.syntaxError()));
        }
        ApiKeyAuth auth = new ApiKeyAuth(options.apiKeys());
        Router router = router(auth, override);
        KServeService grpc = new KServeService(vertx, backend, options.servedModelName(), inflight, metrics, auth,
                options.requestTimeout(), options.admission(), tokenizeBudget, options.maxBodyBytes());
        var grpcServer = grpc.grpcServer();
        HttpServerOptions httpOptions = new HttpServerOptions()
                .setHost(options.host())
                .setPort(options.port())
                .setUseAlpn(false)
                .setHttp2ClearTextEnabled(true)
                // until a request head arrives; ConnectionGuard lifts it while requests run, then sets keep-alive
                .setIdleTimeout((int) options.timeouts().header().toMillis())
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
        guard = new ConnectionGuard(options.timeouts().header().toMillis(), options.timeouts().keepAlive().toMillis());
        guardTimer = guard.start(vertx);
        server = vertx.createHttpServer(httpOptions).requestHandler((HttpServerRequest req) -> {
            String type = req.getHeader("content-type");
            boolean grpcCall = type != null && type.startsWith("application/grpc");
            guard.request(req, !grpcCall);
            if (grpcCall) {
                grpcServer.handle(req);
            } else {
                router.handle(req);
            }
        });
        return server.listen().map(HttpServer::actualPort);
    }

    private Router router(ApiKeyAuth auth, ChatTemplate override) {
        Router router = Router.router(vertx);
        RequestLog log = new RequestLog(options.logFormat(), logSink);
        ErrorResponses errors = new ErrorResponses(options.maxBodyBytes(), System.err);
        OpenAiRoutes api = new OpenAiRoutes(backend, options, metrics, inflight,
                new PromptPreparer(vertx, backend, override, tokenizeBudget, clock), tokenizeBudget);
        BodyHandler body = BodyHandler.create(false).setBodyLimit(options.maxBodyBytes());

        router.route().handler(log::begin);
        if (options.cors().enabled()) {
            // before the key check: a browser's preflight carries no key, and is answered here
            router.route().handler(cors(options.cors()));
        }
        router.get("/health").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json")
                .end("{\"status\":\"alive\"}"));
        router.get("/ready").handler(this::ready);
        router.get("/metrics").handler(ctx -> ctx.response()
                .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(metrics.scrape()));
        if (auth.enabled()) {
            for (String path : new String[] {"/v1/*", "/tokenize", "/detokenize"}) {
                router.route(path).handler(ctx -> {
                    if (auth.accepts(ctx.request().getHeader("Authorization"))) {
                        ctx.next();
                    } else {
                        ctx.fail(ApiException.unauthorized());
                    }
                });
            }
        }
        router.get("/v1/models").handler(api::models);
        router.post("/v1/completions").handler(body).handler(api::completions);
        router.post("/v1/chat/completions").handler(body).handler(api::chat);
        router.post("/tokenize").handler(body).handler(api::tokenize);
        router.post("/detokenize").handler(body).handler(api::detokenize);
        router.route().failureHandler(errors::handle);
        for (int status : new int[] {400, 404, 405, 413, 500}) {
            router.errorHandler(status, errors::handle);
        }
        return router;
    }

    /** vLLM's CORS options on Vert.x's handler; "*" allows any origin, method or request header. */
    private static CorsHandler cors(ServerConfig.Cors c) {
        CorsHandler h = CorsHandler.create();
        if (!c.origins().contains("*")) {
            h.addOrigins(c.origins());
        }
        Set<HttpMethod> methods = new LinkedHashSet<>();
        if (c.methods().contains("*")) {
            methods.addAll(List.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE,
                    HttpMethod.HEAD, HttpMethod.OPTIONS));
        } else {
            for (String m : c.methods()) methods.add(HttpMethod.valueOf(m.toUpperCase(Locale.ROOT)));
        }
        h.allowedMethods(methods);
        if (!c.headers().contains("*")) {
            h.allowedHeaders(new LinkedHashSet<>(c.headers())); // none listed: the handler echoes what is asked
        }
        return h.allowCredentials(c.credentials());
    }

    private void ready(RoutingContext ctx) {
        String state = inflight.draining() ? "draining" : backend.ready() ? "ready" : "loading";
        ctx.response().setStatusCode("ready".equals(state) ? 200 : 503)
                .putHeader("Content-Type", "application/json").end("{\"status\":\"" + state + "\"}");
    }

    /**
     * Graceful drain: {@code /ready} answers 503 at once, new generation requests get 503,
     * in-flight ones run to completion for up to the shutdown timeout and are then aborted.
     * Completes when nothing is in flight. Idempotent.
     */
    public Future<Void> drain() {
        return inflight.drain(vertx, options.shutdownTimeout());
    }

    /** Stops listening and releases the metrics registry (and Vert.x if this server created it). */
    public Future<Void> close() {
        Promise<Void> done = Promise.promise();  // no context: completes on whichever thread finishes last
        if (guardTimer >= 0) {
            vertx.cancelTimer(guardTimer);
        }
        Future<Void> serverClosed = server == null ? Future.succeededFuture() : server.close();
        serverClosed.onComplete(ar -> {
            metrics.close();
            if (!ownsVertx) {
                done.complete();
                return;
            }
            // closed from a thread of its own: a close started on one of Vert.x's event loops
            // cannot deliver its own completion there
            Thread.ofVirtual().start(() -> vertx.close().toCompletionStage()
                    .whenComplete((v, e) -> done.complete()));
        });
        return done.future();
    }

    public boolean draining() {
        return inflight.draining();
    }

    /** Number of generation requests in flight (HTTP and gRPC). */
    public int inflightRequests() {
        return inflight.size();
    }

    public ServerMetrics metrics() {
        return metrics;
    }
}
