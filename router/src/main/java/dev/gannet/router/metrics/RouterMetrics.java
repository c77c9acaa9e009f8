package dev.gannet.router.metrics;

import dev.gannet.router.replica.Replica;
import dev.gannet.router.replica.ReplicaSet;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The router's own Prometheus metrics (docs/metrics.md, "Router"). Names start {@code gannet_router_};
 * the label {@code replica} is the replica's URL. Thread-safe; per-replica gauges come and go with the
 * replicas.
 */
public final class RouterMetrics implements AutoCloseable {
    private static final double[] LATENCY_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
        2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, List<Meter>> replicaGauges = new ConcurrentHashMap<>();
    private final Duration[] slos;

    public RouterMetrics() {
        slos = new Duration[LATENCY_BUCKETS.length];
        for (int i = 0; i < slos.length; i++) slos[i] = Duration.ofNanos(Math.round(LATENCY_BUCKETS[i] * 1e9));
    }

    /** Keeps the per-replica gauges in step with the replica set. */
    public void follow(ReplicaSet replicas) {
        replicas.onChange(change -> {
            for (Replica r : change.added()) addGauges(r);
            for (Replica r : change.removed()) {
                List<Meter> meters = replicaGauges.remove(r.id());
                if (meters != null) meters.forEach(registry::remove);
            }
        });
        replicas.all().forEach(this::addGauges);
    }

    private void addGauges(Replica r) {
        replicaGauges.computeIfAbsent(r.id(), id -> List.of(
                Gauge.builder("gannet_router_replica_available", r, x -> x.available(System.nanoTime()) ? 1 : 0)
                        .description("1 when the replica takes new requests (ready, not ejected)")
                        .tag("replica", id).strongReference(true).register(registry),
                Gauge.builder("gannet_router_replica_outstanding_requests", r, Replica::outstanding)
                        .description("Requests the router has sent to the replica and not yet seen end")
                        .tag("replica", id).strongReference(true).register(registry)));
    }

    /** A request the router answered (any way): route = completions, chat, models, tokenize, detokenize. */
    public void request(String route, int status, long nanos) {
        Counter.builder("gannet_router_requests").description("Requests answered by the router")
                .tags("route", route, "status", Integer.toString(status)).register(registry).increment();
        Timer.builder("gannet_router_request_duration_seconds").description("Router request duration, arrival to end")
                .tag("route", route).serviceLevelObjectives(slos).register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** One attempt at one replica ended: outcome = the HTTP status, or connect_error, reset, first_byte_timeout,
     *  wrong_content, reset_mid_stream, cancelled. */
    public void upstream(Replica r, String outcome) {
        Counter.builder("gannet_router_upstream_requests").description("Attempts sent to each replica, by outcome")
                .tags("replica", r.id(), "outcome", outcome).register(registry).increment();
    }

    /** Time from sending to a replica to its first byte of body (what a retry decision waits for). */
    public void upstreamLatency(Replica r, long nanos) {
        Timer.builder("gannet_router_upstream_latency_seconds")
                .description("Time from sending a request to a replica to the first byte of its answer")
                .tag("replica", r.id()).serviceLevelObjectives(slos).register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    public void retry(String reason) {
        Counter.builder("gannet_router_retries").description("Requests sent again to another replica, by the reason")
                .tag("reason", reason).register(registry).increment();
    }

    public void ejection(Replica r) {
        Counter.builder("gannet_router_ejections").description("Times a replica was ejected by its circuit breaker")
                .tag("replica", r.id()).register(registry).increment();
    }

    public String scrape() {
        return registry.scrape();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        registry.close();
    }
}
