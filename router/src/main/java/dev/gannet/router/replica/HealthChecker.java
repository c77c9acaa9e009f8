package dev.gannet.router.replica;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Active health checks: every interval each replica's {@code GET /ready} sets its health (200 ready;
 * 503 loading or draining; anything else, or no answer within the timeout, down), and its
 * {@code GET /metrics} gives the load the least-load policy reads. Runs on a Vert.x timer; the
 * requests are asynchronous, so a dead replica costs a timeout, never a blocked thread.
 */
public final class HealthChecker {
    private final Vertx vertx;
    private final HttpClient client;
    private final ReplicaSet replicas;
    private final Duration interval;
    private final Duration timeout;
    private final Consumer<String> log;
    private long timerId = -1;

    public HealthChecker(Vertx vertx, HttpClient client, ReplicaSet replicas, Duration interval, Duration timeout,
                         Consumer<String> log) {
        this.vertx = vertx;
        this.client = client;
        this.replicas = replicas;
        this.interval = interval;
        this.timeout = timeout;
        this.log = log;
        // a replica that appears (file, DNS) is checked at once, not at the next tick
        replicas.onChange(c -> c.added().forEach(r -> vertx.runOnContext(v -> check(r))));
    }

    /** Checks every replica now and then every interval; the future completes when the first round has. */
    public Future<Void> start() {
        Future<Void> first = checkAll();
        timerId = vertx.setPeriodic(Math.max(1, interval.toMillis()), id -> checkAll());
        return first;
    }

    public void stop() {
        if (timerId >= 0) vertx.cancelTimer(timerId);
    }

    public Future<Void> checkAll() {
        List<Future<Void>> all = new ArrayList<>();
        for (Replica r : replicas.all()) all.add(check(r));
        return Future.join(all).mapEmpty();
    }

    /** One check of one replica; never fails (an unreachable replica is marked down). */
    public Future<Void> check(Replica r) {
        return get(r, "/ready").transform(ar -> {
            Replica.Health h;
            if (ar.failed()) {
                h = Replica.Health.DOWN;
            } else if (ar.result().status == 200) {
                h = Replica.Health.READY;
            } else if (ar.result().status == 503) {
                h = ar.result().body.toLowerCase(Locale.ROOT).contains("draining")
                        ? Replica.Health.DRAINING : Replica.Health.NOT_READY;
            } else {
                h = Replica.Health.DOWN;
            }
            Replica.Health before = r.health();
            r.health(h);
            if (before != h && !r.removed()) {
                log.accept("replica " + r.id() + ": " + before.name().toLowerCase(Locale.ROOT) + " -> "
                        + h.name().toLowerCase(Locale.ROOT)
                        + (ar.failed() ? " (" + ar.cause().getMessage() + ")" : ""));
            }
            if (h != Replica.Health.READY) return Future.succeededFuture();
            return get(r, "/metrics").transform(m -> {
                if (m.succeeded() && m.result().status == 200) {
                    LoadReport load = LoadReport.parse(m.result().body);
                    if (load != null) r.reported(load.waiting(), load.kvUsage());
                }
                return Future.<Void>succeededFuture();
            });
        });
    }

    private record Answer(int status, String body) {}

    private Future<Answer> get(Replica r, String path) {
        RequestOptions opts = new RequestOptions().setMethod(HttpMethod.GET).setHost(r.host()).setPort(r.port())
                .setSsl(r.ssl()).setURI(path).setConnectTimeout(timeout.toMillis()).setTimeout(timeout.toMillis());
        return client.request(opts)
                .compose(req -> req.send().compose(resp -> resp.body().map(b -> new Answer(resp.statusCode(),
                        truncate(b)))));
    }

    private static String truncate(Buffer b) {
        // metrics pages are small; a misbehaving replica's huge page is not scanned past 4 MiB
        return b.length() > (4 << 20) ? b.getString(0, 4 << 20) : b.toString();
    }
}
