package dev.gannet.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gannet.server.api.FakeBackend;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.gannet.server.http.ServerHarness.json;
import static dev.gannet.server.http.StatusCodesTest.send;
import static dev.gannet.server.http.StatusCodesTest.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Client disconnects, deadlines, graceful drain, request logs. */
class LifecycleTest {

    @Test
    void clientDisconnectMidStreamAbortsTheSequence() throws Exception {
        FakeBackend backend = new FakeBackend(4096).tokenDelayMillis(20);
        try (ServerHarness h = new ServerHarness(backend, ServerOptions.defaults("fake"))) {
            String body = "{\"prompt\":\"x\",\"max_tokens\":2000,\"stream\":true}";
            try (Socket s = new Socket("127.0.0.1", h.port)) {
                OutputStream out = s.getOutputStream();
                out.write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = s.getInputStream();
                StringBuilder seen = new StringBuilder();
                while (seen.indexOf("\"text\":\"b\"") < 0) {
                    int c = in.read();
                    assertTrue(c >= 0, "stream ended early: " + seen);
                    seen.append((char) c);
                }
                assertEquals(1, backend.runningNow());
            }
            waitFor(() -> backend.aborts() == 1 && backend.runningNow() == 0 && h.server.inflightRequests() == 0);
            String metrics = h.get("/metrics").body();
            assertTrue(metrics.contains("gannet:num_requests_running{model_name=\"fake\"} 0.0"), metrics);
            assertTrue(metrics.contains("gannet:request_success_total{finished_reason=\"abort\",model_name=\"fake\"} 1.0"),
                    metrics);
            waitFor(() -> h.logLines.stream().anyMatch(l -> l.contains("client closed")));
            // before: logged with completion_tokens=0, as if the client had got nothing
            String line = h.logLines.stream().filter(l -> l.contains("client closed")).findFirst().orElseThrow();
            assertFalse(line.contains("completion_tokens=0 "), line);
        }
    }

    @Test
    void requestDeadlineAbortsWithFinishReasonAbort() throws Exception {
        ServerOptions o = ServerOptions.defaults("fake");
        o = o.withLimits(o.maxBodyBytes(), o.maxWaiting(), Duration.ofMillis(300), o.shutdownTimeout());
        FakeBackend backend = new FakeBackend(4096).tokenDelayMillis(10);
        try (ServerHarness h = new ServerHarness(backend, o)) {
            long start = System.nanoTime();
            HttpResponse<String> r = h.post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":2000}");
            assertEquals(200, r.statusCode());
            JsonNode c = json(r.body()).get("choices").get(0);
            assertEquals("abort", c.get("finish_reason").asText());
            assertFalse(c.get("text").asText().isEmpty());
            assertTrue(System.nanoTime() - start < 5_000_000_000L);
            HttpResponse<String> s = h.post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":2000,\"stream\":true}");
            assertTrue(s.body().contains("\"finish_reason\":\"abort\""));
            assertTrue(s.body().endsWith("data: [DONE]\n\n"));
        }
    }

    @Test
    void drainRefusesNewWorkAndLetsInFlightFinish() throws Exception {
        FakeBackend backend = new FakeBackend(256).tokenDelayMillis(20);
        try (ServerHarness h = new ServerHarness(backend, ServerOptions.defaults("fake"))) {
            CompletableFuture<HttpResponse<String>> inFlight = send(h, "{\"prompt\":\"x\",\"max_tokens\":10}");
            waitFor(() -> backend.runningNow() == 1);
            var drained = h.server.drain().toCompletionStage().toCompletableFuture();
            assertEquals(503, h.get("/ready").statusCode());
            assertEquals("draining", json(h.get("/ready").body()).get("status").asText());
            HttpResponse<String> refused = h.post("/v1/completions", "{\"prompt\":\"x\"}");
            StatusCodesTest.assertError(refused, 503, "service_unavailable");
            assertFalse(drained.isDone());
            HttpResponse<String> done = inFlight.get(10, TimeUnit.SECONDS);
            assertEquals(200, done.statusCode());
            assertEquals("length", json(done.body()).get("choices").get(0).get("finish_reason").asText());
            drained.get(5, TimeUnit.SECONDS);
            assertEquals(200, h.get("/health").statusCode());
        }
    }

    @Test
    void drainAbortsWhatOutlivesTheShutdownTimeout() throws Exception {
        ServerOptions o = ServerOptions.defaults("fake");
        o = o.withLimits(o.maxBodyBytes(), o.maxWaiting(), o.requestTimeout(), Duration.ofMillis(200));
        FakeBackend backend = new FakeBackend(4096).tokenDelayMillis(10);
        try (ServerHarness h = new ServerHarness(backend, o)) {
            CompletableFuture<HttpResponse<String>> inFlight = send(h, "{\"prompt\":\"x\",\"max_tokens\":3000}");
            waitFor(() -> backend.runningNow() == 1);
            h.server.drain().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertEquals("abort", json(inFlight.get(5, TimeUnit.SECONDS).body()).get("choices").get(0)
                    .get("finish_reason").asText());
        }
    }

    @Test
    void jsonRequestLogLines() throws Exception {
        try (ServerHarness h = new ServerHarness(new FakeBackend(256),
                ServerOptions.defaults("fake").withLogFormat(dev.gannet.server.config.LogFormat.JSON))) {
            HttpResponse<String> r = h.post("/v1/completions", "{\"prompt\":\"ab\",\"max_tokens\":4}");
            String id = json(r.body()).get("id").asText();
            waitFor(() -> h.logLines.stream().anyMatch(l -> l.contains(id)));
            JsonNode line = json(h.logLines.stream().filter(l -> l.contains(id)).findFirst().orElseThrow());
            assertEquals(200, line.get("status").asInt());
            assertEquals("/v1/completions", line.get("path").asText());
            assertEquals(3, line.get("prompt_tokens").asInt());
            assertEquals(4, line.get("completion_tokens").asInt());
            assertTrue(line.get("ttft_ms").asDouble() >= 0);
            assertTrue(line.get("duration_ms").asDouble() >= line.get("ttft_ms").asDouble());
        }
    }

    @Test
    void http2UpgradeFromTheJdkClient() throws Exception {
        try (ServerHarness h = new ServerHarness();
             HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build()) {
            HttpResponse<String> r = h2.send(HttpRequest.newBuilder(h.uri("/v1/models")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertEquals(HttpClient.Version.HTTP_2, r.version());
            HttpResponse<String> c = h2.send(HttpRequest.newBuilder(h.uri("/v1/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"x\",\"max_tokens\":2,\"stream\":true}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(HttpClient.Version.HTTP_2, c.version());
            assertTrue(c.body().endsWith("data: [DONE]\n\n"));
        }
    }
}
