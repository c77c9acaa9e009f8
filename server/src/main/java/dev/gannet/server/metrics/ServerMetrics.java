package dev.gannet.server.metrics;

import dev.gannet.runtime.engine.FinishReason;
import dev.gannet.server.api.BackendStats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.config.NamingConvention;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusNamingConvention;

import java.time.Duration;
import java.util.EnumMap;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The server's Prometheus metrics, named as vLLM's with a {@code gannet:} prefix and labelled
 * {@code model_name}; docs/metrics.md lists them. Recording methods are thread-safe and
 * allocation-free, so they may be called per token from the event loop.
 */
public final class ServerMetrics implements AutoCloseable {
    /** vLLM's TTFT buckets, with finer steps below 10 ms for a low-latency server. */
    private static final double[] TTFT_BUCKETS = {0.001, 0.0025, 0.005, 0.0075, 0.01, 0.02, 0.04, 0.06, 0.08,
        0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0};
    private static final double[] ITL_BUCKETS = {0.001, 0.0025, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.075, 0.1,
        0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0};
    private static final double[] REQUEST_BUCKETS = {0.01, 0.05, 0.1, 0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0,
        10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0};
    private static final String PREFIX = "gannet:";

    private final PrometheusMeterRegistry registry;
    private final Supplier<BackendStats> stats;  // held here: meters keep their sources weakly
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
    private final Timer ttft;
    private final Timer itl;
    private final Timer e2e;
    private final Timer queueTime;
    private final Timer prefillTime;
    private final Timer decodeTime;
    private final Counter promptTokens;
    private final Counter generationTokens;
    private final Map<FinishReason, Counter> success = new EnumMap<>(FinishReason.class);

    /**
     * @param modelName  the served model name (label {@code model_name})
     * @param stats      read on each scrape for the scheduler gauges and counters; must not block
     */
    public ServerMetrics(String modelName, Supplier<BackendStats> stats) {
        this.stats = stats;
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().namingConvention(new ColonKeepingConvention());
        registry.config().commonTags("model_name", modelName);
        ttft = histogram("time_to_first_token_seconds", "Time to first token", TTFT_BUCKETS);
        itl = histogram("inter_token_latency_seconds", "Time between consecutive output tokens", ITL_BUCKETS);
        e2e = histogram("e2e_request_latency_seconds", "End-to-end request latency", REQUEST_BUCKETS);
        queueTime = histogram("request_queue_time_seconds", "Time waiting before first scheduled", REQUEST_BUCKETS);
        prefillTime = histogram("request_prefill_time_seconds", "Time in prefill", REQUEST_BUCKETS);
        decodeTime = histogram("request_decode_time_seconds", "Time in decode", REQUEST_BUCKETS);
        promptTokens = Counter.builder(PREFIX + "prompt_tokens").description("Prefill tokens processed")
                .register(registry);
        generationTokens = Counter.builder(PREFIX + "generation_tokens").description("Generated tokens")
                .register(registry);
        for (FinishReason reason : FinishReason.values()) {
            success.put(reason, Counter.builder(PREFIX + "request_success")
                    .description("Finished requests by finish reason")
                    .tag("finished_reason", reason.wireName()).register(registry));
        }
        registerSchedulerMeters(this.stats);
        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
    }

    /** Strong references: Micrometer holds gauge sources weakly, and a method reference would be collected. */
    private void registerSchedulerMeters(Supplier<BackendStats> stats) {
        Gauge.builder(PREFIX + "num_requests_running", stats, s -> s.get().running())
                .description("Sequences in the running batch").strongReference(true).register(registry);
        Gauge.builder(PREFIX + "num_requests_waiting", stats, s -> s.get().waiting())
                .description("Sequences waiting to be scheduled").strongReference(true).register(registry);
        Gauge.builder(PREFIX + "kv_cache_usage_perc", stats, s -> s.get().kvCacheUsage())
                .description("Fraction of KV cache blocks in use (0..1)").strongReference(true).register(registry);
        FunctionCounter.builder(PREFIX + "prefix_cache_queries", stats, s -> s.get().prefixCacheQueries())
                .description("Prompt tokens looked up in the prefix cache").register(registry);
        FunctionCounter.builder(PREFIX + "prefix_cache_hits", stats, s -> s.get().prefixCacheHits())
                .description("Prompt tokens found in the prefix cache").register(registry);
        FunctionCounter.builder(PREFIX + "num_preemptions", stats, s -> s.get().preemptions())
                .description("Sequences preempted").register(registry);
        if (stats.get().gpu() != null) registerGpuMeters(stats);
    }

    /** A GPU backend's memory, fixed at load; gpu_cache_usage_perc is vLLM's older name of kv_cache_usage_perc. */
    private void registerGpuMeters(Supplier<BackendStats> stats) {
        Gauge.builder(PREFIX + "gpu_cache_usage_perc", stats, s -> s.get().kvCacheUsage())
                .description("Fraction of GPU KV cache blocks in use (0..1)").strongReference(true).register(registry);
        gpuGauge(stats, "gpu_memory_total_bytes", "Device memory of the GPUs used", BackendStats.GpuMemory::total);
        gpuGauge(stats, "gpu_memory_used_bytes", "Device memory Gannet allocated", BackendStats.GpuMemory::used);
        gpuGauge(stats, "gpu_memory_weights_bytes", "Device memory of the weights", BackendStats.GpuMemory::weights);
        gpuGauge(stats, "gpu_memory_kv_cache_bytes", "Device memory of the paged KV cache", BackendStats.GpuMemory::kvCache);
        gpuGauge(stats, "gpu_memory_activations_bytes", "Device memory of step buffers and workspaces", BackendStats.GpuMemory::activations);
    }

    private void gpuGauge(Supplier<BackendStats> stats, String name, String help, java.util.function.ToLongFunction<BackendStats.GpuMemory> f) {
        Gauge.builder(PREFIX + name, stats, s -> f.applyAsLong(s.get().gpu())).description(help).strongReference(true).register(registry);
    }

    private Timer histogram(String name, String help, double[] buckets) {
        // a Timer, not a DistributionSummary: fixed-boundary summary histograms round values up
        // to whole numbers, which would put every sub-second latency in the 1.0 bucket
        Duration[] slos = new Duration[buckets.length];
        for (int i = 0; i < buckets.length; i++) {
            slos[i] = Duration.ofNanos(Math.round(buckets[i] * 1e9));
        }
        return Timer.builder(PREFIX + name).description(help).serviceLevelObjectives(slos)
                .minimumExpectedValue(slos[0]).maximumExpectedValue(slos[slos.length - 1]).register(registry);
    }

    public void recordTimeToFirstToken(long nanos) {
        ttft.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void recordInterTokenLatency(long nanos) {
        itl.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Records one finished sequence: its counts, its engine timings and the end-to-end latency. */
    public void recordFinished(FinishReason reason, int prompt, int generated, long e2eNanos,
                               long queueNanos, long prefillNanos, long decodeNanos) {
        promptTokens.increment(prompt);
        generationTokens.increment(generated);
        success.get(reason).increment();
        e2e.record(e2eNanos, TimeUnit.NANOSECONDS);
        if (queueNanos > 0) {
            queueTime.record(queueNanos, TimeUnit.NANOSECONDS);
        }
        if (prefillNanos > 0) {
            prefillTime.record(prefillNanos, TimeUnit.NANOSECONDS);
        }
        if (decodeNanos > 0) {
            decodeTime.record(decodeNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** The Prometheus text exposition format (version 0.0.4). */
    public String scrape() {
        return registry.scrape();
    }

    /** For binding more meters (e.g. Vert.x metrics) to the same registry. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        gcMetrics.close();
        registry.close();
    }

    /**
     * Micrometer's Prometheus convention already allows ':' in names (Prometheus does);
     * this one only makes sure dots from JVM meters become '_' while our colon prefix stays.
     */
    private static final class ColonKeepingConvention implements NamingConvention {
        private final PrometheusNamingConvention delegate = new PrometheusNamingConvention();

        @Override
        public String name(String name, Meter.Type type, String baseUnit) {
            if (name.startsWith(PREFIX)) {
                return PREFIX + delegate.name(name.substring(PREFIX.length()), type, baseUnit);
            }
            return delegate.name(name, type, baseUnit);
        }

        @Override
        public String tagKey(String key) {
            return delegate.tagKey(key);
        }
    }
}
