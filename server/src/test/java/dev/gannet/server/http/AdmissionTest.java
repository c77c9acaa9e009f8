package dev.gannet.server.http;

import dev.gannet.server.api.FakeBackend;
import dev.gannet.server.common.Admission;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.gannet.server.http.ServerHarness.json;
import static dev.gannet.server.http.StatusCodesTest.send;
import static dev.gannet.server.http.StatusCodesTest.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 18, faults 1 and 2: every refused request leaves nothing registered, and admission counts sequences
 * (prompts x n) and tokens, not requests.
 */
class AdmissionTest {

    /** Before: a chat request with min_tokens beyond the context got its 400 but stayed in flight forever. */
    @Test
    void everyRefusedRequestLeavesNothingBehindAndShutdownIsImmediate() throws Exception {
        FakeBackend backend = new FakeBackend(256).hold(true);
        ServerOptions o = ServerOptions.defaults("fake").withAdmission(new Admission(4, 0, 8, 4));
        try (ServerHarness h = new ServerHarness(backend, o)) {
            String user = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
            List<String[]> refused = new ArrayList<>(List.of(
                    new String[] {"/v1/chat/completions", "{" + user + ",\"min_tokens\":5000}", "400"},
                    new String[] {"/v1/chat/completions", "{" + user + ",\"min_tokens\":50,\"max_tokens\":5}", "400"},
                    new String[] {"/v1/chat/completions", "{" + user + ",\"tools\":[{\"type\":\"function\"}]}", "400"},
                    new String[] {"/v1/chat/completions", "{" + user + ",\"n\":9}", "400"},
                    new String[] {"/v1/completions", "{\"prompt\":[\"a\",\"b\",\"c\"],\"n\":2}", "400"},
                    new String[] {"/v1/completions", "{\"prompt\":\"" + "x".repeat(300) + "\"}", "400"},
                    new String[] {"/v1/completions", "{\"prompt\":\"x\",\"logit_bias\":{\"99999999\":1}}", "400"},
                    new String[] {"/v1/completions", "{\"prompt\":\"x\",\"stop_token_ids\":[70000]}", "400"},
                    new String[] {"/v1/completions", "{\"prompt\":\"x\",\"temperature\":9}", "400"},
                    new String[] {"/v1/completions", "{\"prompt\":", "400"}));
            for (String[] r : refused) {
                HttpResponse<String> resp = h.post(r[0], r[1]);
                assertEquals(Integer.parseInt(r[2]), resp.statusCode(), r[1] + " -> " + resp.body());
            }
            // four sequences wait (held), the fifth is a 429
            List<CompletableFuture<HttpResponse<String>>> parked = new ArrayList<>();
            for (int i = 0; i < 2; i++) parked.add(send(h, "{\"prompt\":\"x\",\"max_tokens\":1,\"n\":2}"));
            waitFor(() -> backend.stats().waiting() == 4);
            assertEquals(429, h.post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":1}").statusCode());
            assertEquals(2, h.server.inflightRequests(), "only the two admitted requests are in flight");
            backend.hold(false);
            for (var f : parked) assertEquals(200, f.get(10, TimeUnit.SECONDS).statusCode());
            waitFor(() -> h.server.inflightRequests() == 0);
            long t0 = System.nanoTime();
            h.server.drain().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertTrue(System.nanoTime() - t0 < 1_000_000_000L, "drain with nothing in flight is immediate");
        }
    }

    /** Before: one request with n=64 and 8 prompts (512 sequences) passed --max-waiting 2. */
    @Test
    void admissionCountsSequencesAndTokensAndNamesTheLimit() throws Exception {
        FakeBackend backend = new FakeBackend(256).hold(true);
        ServerOptions o = ServerOptions.defaults("fake").withAdmission(new Admission(2, 120, 64, 64));
        try (ServerHarness h = new ServerHarness(backend, o)) {
            HttpResponse<String> many = h.post("/v1/completions", "{\"prompt\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\"],"
                    + "\"max_tokens\":1,\"n\":64}");
            assertEquals(400, many.statusCode(), many.body());
            assertTrue(json(many.body()).get("error").get("message").asText().contains("512 sequences"), many.body());
            HttpResponse<String> big = h.post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":200}");
            assertEquals(400, big.statusCode(), "202 tokens can never fit a budget of 120: " + big.body());
            var first = send(h, "{\"prompt\":\"x\",\"max_tokens\":70}");
            waitFor(() -> backend.stats().waiting() == 1);
            HttpResponse<String> tokens = h.post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":70}");
            assertEquals(429, tokens.statusCode(), tokens.body());
            assertTrue(json(tokens.body()).get("error").get("message").asText().contains("max_waiting_tokens"), tokens.body());
            var second = send(h, "{\"prompt\":\"x\",\"max_tokens\":10}");
            waitFor(() -> backend.stats().waiting() == 2);
            HttpResponse<String> seqs = h.post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":1}");
            assertEquals(429, seqs.statusCode(), seqs.body());
            assertTrue(json(seqs.body()).get("error").get("message").asText().contains("max_waiting"), seqs.body());
            backend.hold(false);
            assertEquals(200, first.get(10, TimeUnit.SECONDS).statusCode());
            assertEquals(200, second.get(10, TimeUnit.SECONDS).statusCode());
        }
    }
}
