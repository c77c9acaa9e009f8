package dev.gannet.server.metrics;

import dev.gannet.runtime.engine.FinishReason;
import dev.gannet.server.api.BackendStats;
import dev.gannet.server.api.FakeBackend;
import dev.gannet.server.http.GannetServer;
import dev.gannet.server.http.ServerOptions;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerMetricsTest {

    @Test
    void exposesVllmNamesWithTheGannetColonPrefix() {
        try (ServerMetrics m = new ServerMetrics("tiny", () -> new BackendStats(3, 2, 700, 0.25, 100, 40, 5))) {
            m.recordTimeToFirstToken(20_000_000L);
            m.recordInterTokenLatency(21_000_000L);
            m.recordFinished(FinishReason.LENGTH, 7, 9, 500_000_000L, 1_000_000L, 2_000_000L, 3_000_000L);
            String text = m.scrape();
            for (String expected : new String[] {
                "gannet:time_to_first_token_seconds_bucket{model_name=\"tiny\",le=\"0.02\"} 1",
                "gannet:time_to_first_token_seconds_bucket{model_name=\"tiny\",le=\"0.01\"} 0",
                "gannet:inter_token_latency_seconds_bucket{model_name=\"tiny\",le=\"0.025\"} 1",
                "gannet:inter_token_latency_seconds_bucket{model_name=\"tiny\",le=\"0.01\"} 0",
                "gannet:e2e_request_latency_seconds_bucket{model_name=\"tiny\",le=\"0.5\"} 1",
                "gannet:e2e_request_latency_seconds_count{model_name=\"tiny\"} 1",
                "gannet:request_queue_time_seconds_count{model_name=\"tiny\"} 1",
                "gannet:request_prefill_time_seconds_count{model_name=\"tiny\"} 1",
                "gannet:request_decode_time_seconds_count{model_name=\"tiny\"} 1",
                "gannet:num_requests_running{model_name=\"tiny\"} 3.0",
                "gannet:num_requests_waiting{model_name=\"tiny\"} 2.0",
                "gannet:kv_cache_usage_perc{model_name=\"tiny\"} 0.25",
                "gannet:prompt_tokens_total{model_name=\"tiny\"} 7.0",
                "gannet:generation_tokens_total{model_name=\"tiny\"} 9.0",
                "gannet:prefix_cache_queries_total{model_name=\"tiny\"} 100.0",
                "gannet:prefix_cache_hits_total{model_name=\"tiny\"} 40.0",
                "gannet:num_preemptions_total{model_name=\"tiny\"} 5.0",
                "gannet:request_success_total{finished_reason=\"length\",model_name=\"tiny\"} 1.0",
                "gannet:request_success_total{finished_reason=\"stop\",model_name=\"tiny\"} 0.0",
                "jvm_memory_used_bytes{",
            }) {
                assertTrue(text.contains(expected), () -> "missing '" + expected + "' in\n" + text);
            }
        }
    }

    @Test
    void gpuMemoryFiguresAppearOnlyForAGpuBackend() {
        var gpu = new BackendStats.GpuMemory(80L << 30, 70L << 30, 16L << 30, 50L << 30, 4L << 30);
        try (ServerMetrics m = new ServerMetrics("big", () -> new BackendStats(1, 0, 0, 0.5, 0, 0, 0, gpu))) {
            String text = m.scrape();
            for (String expected : new String[] {
                "gannet:gpu_memory_total_bytes{model_name=\"big\"} 8.589934592E10",
                "gannet:gpu_memory_used_bytes{model_name=\"big\"} 7.516192768E10",
                "gannet:gpu_memory_weights_bytes{model_name=\"big\"} 1.7179869184E10",
                "gannet:gpu_memory_kv_cache_bytes{model_name=\"big\"} 5.36870912E10",
                "gannet:gpu_memory_activations_bytes{model_name=\"big\"} 4.294967296E9",
                "gannet:gpu_cache_usage_perc{model_name=\"big\"} 0.5",
            }) {
                assertTrue(text.contains(expected), () -> "missing '" + expected + "' in\n" + text);
            }
        }
        try (ServerMetrics m = new ServerMetrics("tiny", () -> new BackendStats(0, 0, 0, 0, 0, 0, 0))) {
            assertTrue(!m.scrape().contains("gpu_memory"), "no GPU figures for a CPU backend");
        }
    }

    @Test
    void ownVertxAddsVertxHttpMetrics() throws Exception {
        FakeBackend backend = new FakeBackend(64);
        GannetServer server = new GannetServer(ServerOptions.defaults("fake"), backend);
        try (HttpClient http = HttpClient.newHttpClient()) {
            int port = server.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            URI metrics = URI.create("http://127.0.0.1:" + port + "/metrics");
            http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            String text = http.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(text.contains("vertx_http_server_requests_total{"), text);
            assertTrue(text.contains("gannet:time_to_first_token_seconds_bucket{"), text);
        } finally {
            server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            backend.shutdown();
        }
    }
}
