package dev.gannet.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gannet.server.api.FakeBackend;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static dev.gannet.server.http.ServerHarness.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** 401, 404, 405, 413, 429 and 503, each in OpenAI's error JSON. */
class StatusCodesTest {

    @Test
    void apiKeysGuardV1AndTokenizeButNotHealth() throws Exception {
        try (ServerHarness h = new ServerHarness(new FakeBackend(256),
                ServerOptions.defaults("fake").withApiKeys(List.of("sekret", "other")))) {
            String body = "{\"prompt\":\"x\",\"max_tokens\":1}";
            assertError(h.post("/v1/completions", body), 401, "invalid_request_error");
            assertError(h.post("/v1/completions", body, "Authorization", "Bearer wrong"), 401, "invalid_request_error");
            assertError(h.post("/v1/completions", body, "Authorization", "sekret"), 401, "invalid_request_error");
            assertEquals(200, h.post("/v1/completions", body, "Authorization", "Bearer sekret").statusCode());
            assertEquals(200, h.post("/v1/completions", body, "Authorization", "Bearer other").statusCode());
            assertError(h.post("/tokenize", "{\"prompt\":\"x\"}"), 401, "invalid_request_error");
            assertEquals(401, h.get("/v1/models").statusCode());
            assertEquals(200, h.get("/health").statusCode());
            assertEquals(200, h.get("/ready").statusCode());
        }
    }

    @Test
    void unknownModelPathAndMethod() throws Exception {
        try (ServerHarness h = new ServerHarness()) {
            HttpResponse<String> model = h.post("/v1/completions", "{\"model\":\"gpt-4\",\"prompt\":\"x\"}");
            JsonNode err = assertError(model, 404, "invalid_request_error");
            assertEquals("model", err.get("param").asText());
            assertEquals("model_not_found", err.get("code").asText());
            assertError(h.get("/v1/nothing"), 404, "invalid_request_error");
            assertError(h.post("/v2/completions", "{}"), 404, "invalid_request_error");
            assertError(h.get("/v1/completions"), 405, "invalid_request_error");
            assertError(h.post("/health", "{}"), 405, "invalid_request_error");
        }
    }

    @Test
    void oversizedBodyIs413() throws Exception {
        ServerOptions o = ServerOptions.defaults("fake");
        o = o.withLimits(4096, o.maxWaiting(), o.requestTimeout(), o.shutdownTimeout());
        try (ServerHarness h = new ServerHarness(new FakeBackend(100_000), o)) {
            assertEquals(200, h.post("/v1/completions", "{\"prompt\":\"" + "x".repeat(3000) + "\",\"max_tokens\":1}")
                    .statusCode());
            HttpResponse<String> r = h.post("/v1/completions", "{\"prompt\":\"" + "x".repeat(5000) + "\"}");
            JsonNode err = assertError(r, 413, "invalid_request_error");
            assertTrue(err.get("message").asText().contains("4096"));
        }
    }

    @Test
    void fullQueueIs429WithRetryAfter() throws Exception {
        ServerOptions o = ServerOptions.defaults("fake");
        o = o.withLimits(o.maxBodyBytes(), 2, o.requestTimeout(), o.shutdownTimeout());
        FakeBackend backend = new FakeBackend(256).maxWaiting(3).hold(true);
        try (ServerHarness h = new ServerHarness(backend, o)) {
            String body = "{\"prompt\":\"x\",\"max_tokens\":1}";
            List<CompletableFuture<HttpResponse<String>>> parked = List.of(send(h, body), send(h, body));
            waitFor(() -> backend.stats().waiting() == 2);
            // the server's own admission limit (max waiting = 2)
            HttpResponse<String> r = h.post("/v1/completions", body);
            assertError(r, 429, "rate_limit_error");
            assertEquals("1", r.headers().firstValue("Retry-After").orElse(""));
            backend.hold(false);
            for (var f : parked) {
                assertEquals(200, f.get().statusCode());
            }
        }
    }

    @Test
    void backendQueueFullIs429AndAbortsAlreadySubmittedChoices() throws Exception {
        FakeBackend backend = new FakeBackend(256).maxWaiting(2).hold(true);
        try (ServerHarness h = new ServerHarness(backend, ServerOptions.defaults("fake"))) {
            HttpResponse<String> r = h.post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":1,\"n\":3}");
            assertError(r, 429, "rate_limit_error");
            assertEquals("2", r.headers().firstValue("Retry-After").orElse(""));
            waitFor(() -> backend.stats().waiting() == 0);
            assertEquals(2, backend.aborts());
            assertEquals(0, h.server.inflightRequests());
        }
    }

    @Test
    void loadingIs503AndReadyFollows() throws Exception {
        FakeBackend backend = new FakeBackend(256).ready(false);
        try (ServerHarness h = new ServerHarness(backend, ServerOptions.defaults("fake"))) {
            assertError(h.post("/v1/completions", "{\"prompt\":\"x\"}"), 503, "service_unavailable");
            assertEquals(503, h.get("/ready").statusCode());
            assertEquals("loading", json(h.get("/ready").body()).get("status").asText());
            assertEquals(200, h.get("/health").statusCode());
            backend.ready(true);
            assertEquals(200, h.get("/ready").statusCode());
        }
    }

    static CompletableFuture<HttpResponse<String>> send(ServerHarness h, String body) {
        return h.http.sendAsync(HttpRequest.newBuilder(h.uri("/v1/completions")).timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        waitFor(condition, 5);
    }

    static void waitFor(java.util.function.BooleanSupplier condition, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + seconds + " s");
            }
            Thread.sleep(10);
        }
    }

    static JsonNode assertError(HttpResponse<String> r, int status, String type) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("application/json"));
        JsonNode err = json(r.body()).get("error");
        assertEquals(type, err.get("type").asText(), r.body());
        assertTrue(err.has("message") && err.has("param") && err.has("code"), r.body());
        return err;
    }

    @Test
    void corsAsVllmOffersItPreflightNeedsNoKey() throws Exception {
        try (ServerHarness h = new ServerHarness(new FakeBackend(256),
                ServerOptions.defaults("fake").withApiKeys(List.of("sekret")))) {
            HttpResponse<String> pre = h.http.send(java.net.http.HttpRequest.newBuilder(h.uri("/v1/chat/completions"))
                    .method("OPTIONS", java.net.http.HttpRequest.BodyPublishers.noBody())
                    .header("Origin", "http://app.example").header("Access-Control-Request-Method", "POST")
                    .header("Access-Control-Request-Headers", "authorization,content-type").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertTrue(pre.statusCode() == 200 || pre.statusCode() == 204, pre.statusCode() + " " + pre.body());
            assertEquals("*", pre.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
            assertTrue(pre.headers().firstValue("Access-Control-Allow-Methods").orElse("").contains("POST"), pre.headers().toString());
            assertTrue(pre.headers().firstValue("Access-Control-Allow-Headers").orElse("").toLowerCase().contains("authorization"),
                    pre.headers().toString());
            HttpResponse<String> post = h.post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":1}",
                    "Origin", "http://app.example", "Authorization", "Bearer sekret");
            assertEquals(200, post.statusCode());
            assertEquals("*", post.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
            assertEquals(401, h.post("/v1/completions", "{\"prompt\":\"x\"}", "Origin", "http://app.example").statusCode(),
                    "CORS does not open the API: the key is still required");
        }
        var only = new dev.gannet.server.config.ServerConfig.Cors(List.of("http://good.example"), List.of("*"), List.of("*"), false);
        try (ServerHarness h = new ServerHarness(new FakeBackend(256), ServerOptions.defaults("fake").withCors(only))) {
            HttpResponse<String> good = h.post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":1}", "Origin", "http://good.example");
            assertEquals("http://good.example", good.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
            HttpResponse<String> bad = h.post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":1}", "Origin", "http://evil.example");
            assertTrue(bad.statusCode() == 403 || bad.headers().firstValue("Access-Control-Allow-Origin").isEmpty(),
                    bad.statusCode() + " " + bad.headers());
        }
    }
}
