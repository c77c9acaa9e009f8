package dev.gannet.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.List;

import static dev.gannet.server.http.ServerHarness.json;
import static dev.gannet.server.http.ServerHarness.sseEvents;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompletionsTest {
    static ServerHarness h;

    @BeforeAll
    static void start() throws Exception {
        h = new ServerHarness();
    }

    @AfterAll
    static void stop() throws Exception {
        h.close();
    }

    @Test
    void nonStreamingHasOpenAiShapeAndExactUsage() throws Exception {
        HttpResponse<String> r = h.post("/v1/completions", "{\"model\":\"fake\",\"prompt\":\"hello\",\"max_tokens\":5}");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("application/json"));
        JsonNode j = json(r.body());
        assertTrue(j.get("id").asText().startsWith("cmpl-"));
        assertEquals("text_completion", j.get("object").asText());
        assertTrue(j.get("created").asLong() > 1_700_000_000L);
        assertEquals("fake", j.get("model").asText());
        JsonNode c = j.get("choices").get(0);
        assertEquals(0, c.get("index").asInt());
        assertEquals("abcde", c.get("text").asText());
        assertTrue(c.get("logprobs").isNull());
        assertEquals("length", c.get("finish_reason").asText());
        // "hello" = 5 chars + BOS
        assertEquals(6, j.get("usage").get("prompt_tokens").asInt());
        assertEquals(5, j.get("usage").get("completion_tokens").asInt());
        assertEquals(11, j.get("usage").get("total_tokens").asInt());
    }

    @Test
    void defaultMaxTokensIs16AndModelFieldIsOptional() throws Exception {
        JsonNode j = json(h.post("/v1/completions", "{\"prompt\":\"x\"}").body());
        assertEquals(16, j.get("usage").get("completion_tokens").asInt());
    }

    @Test
    void stopStringEndsWithStopAndIsNotIncluded() throws Exception {
        JsonNode j = json(h.post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":20,\"stop\":[\"ef\"]}").body());
        assertEquals("abcd", j.get("choices").get(0).get("text").asText());
        assertEquals("stop", j.get("choices").get(0).get("finish_reason").asText());
    }

    @Test
    void nChoicesWithSeedAreDistinctAndReproducible() throws Exception {
        String body = "{\"prompt\":\"x\",\"max_tokens\":3,\"n\":3,\"seed\":7,\"temperature\":0.8}";
        JsonNode a = json(h.post("/v1/completions", body).body());
        JsonNode b = json(h.post("/v1/completions", body).body());
        assertEquals(3, a.get("choices").size());
        assertEquals("hij", a.get("choices").get(0).get("text").asText());
        assertEquals("ijk", a.get("choices").get(1).get("text").asText());
        assertEquals(2, a.get("choices").get(2).get("index").asInt());
        assertEquals(a.get("choices"), b.get("choices"));
        // prompt counted once, completions summed over choices
        assertEquals(2, a.get("usage").get("prompt_tokens").asInt());
        assertEquals(9, a.get("usage").get("completion_tokens").asInt());
    }

    @Test
    void logprobsWithOffsets() throws Exception {
        JsonNode j = json(h.post("/v1/completions",
                "{\"prompt\":\"hi \",\"max_tokens\":2,\"logprobs\":2}").body());
        JsonNode c = j.get("choices").get(0);
        assertEquals("ab", c.get("text").asText());
        JsonNode lp = c.get("logprobs");
        assertEquals(List.of("a", "b"), List.of(lp.get("tokens").get(0).asText(), lp.get("tokens").get(1).asText()));
        assertEquals(-0.5, lp.get("token_logprobs").get(0).asDouble(), 1e-6);
        assertEquals(-1.0, lp.get("top_logprobs").get(0).get("A").asDouble(), 1e-6);
        assertEquals(2, lp.get("top_logprobs").get(0).size());
        assertEquals(0, lp.get("text_offset").get(0).asInt());
        assertEquals(1, lp.get("text_offset").get(1).asInt());
    }

    @Test
    void echoPrependsThePromptButPromptLogprobsAreRefused() throws Exception {
        JsonNode j = json(h.post("/v1/completions", "{\"prompt\":\"hi \",\"max_tokens\":2,\"echo\":true}").body());
        assertEquals("hi ab", j.get("choices").get(0).get("text").asText());
        HttpResponse<String> r = h.post("/v1/completions", "{\"prompt\":\"hi \",\"max_tokens\":2,\"logprobs\":2,\"echo\":true}");
        assertEquals(400, r.statusCode());
        assertEquals("logprobs", json(r.body()).get("error").get("param").asText());
    }

    @Test
    void tokenIdPromptsAndPromptLists() throws Exception {
        JsonNode ids = json(h.post("/v1/completions", "{\"prompt\":[1,104,105],\"max_tokens\":1}").body());
        assertEquals(3, ids.get("usage").get("prompt_tokens").asInt());
        JsonNode list = json(h.post("/v1/completions",
                "{\"prompt\":[\"a\",[1,2,3,4]],\"max_tokens\":2,\"n\":2}").body());
        assertEquals(4, list.get("choices").size());
        assertEquals(3, list.get("choices").get(3).get("index").asInt());
        assertEquals(2 + 4, list.get("usage").get("prompt_tokens").asInt());
        assertEquals(8, list.get("usage").get("completion_tokens").asInt());
    }

    @Test
    void eosFinishesWithStopAndIgnoreEosKeepsGoing() throws Exception {
        h.backend.eosAfter(3);
        try {
            JsonNode eos = json(h.post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":10}").body());
            assertEquals("abc", eos.get("choices").get(0).get("text").asText());
            assertEquals("stop", eos.get("choices").get(0).get("finish_reason").asText());
            JsonNode ignore = json(h.post("/v1/completions",
                    "{\"prompt\":\"x\",\"max_tokens\":5,\"ignore_eos\":true}").body());
            assertEquals("abcde", ignore.get("choices").get(0).get("text").asText());
            JsonNode min = json(h.post("/v1/completions",
                    "{\"prompt\":\"x\",\"max_tokens\":10,\"min_tokens\":5}").body());
            assertEquals("abcde", min.get("choices").get(0).get("text").asText());
        } finally {
            h.backend.eosAfter(Integer.MAX_VALUE);
        }
    }

    @Test
    void samplingFieldsReachTheBackend() throws Exception {
        h.backend.submitted.clear();
        HttpResponse<String> r = h.post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":2,\"temperature\":0.5,"
                + "\"top_p\":0.9,\"top_k\":40,\"min_p\":0.05,\"presence_penalty\":0.5,\"frequency_penalty\":-0.5,"
                + "\"repetition_penalty\":1.1,\"logit_bias\":{\"65\":-100},\"seed\":3,\"user\":\"u\"}");
        assertEquals(200, r.statusCode(), r.body());
        var p = h.backend.submitted.getFirst().sampling();
        assertEquals(0.5, p.temperature(), 1e-6);
        assertEquals(0.9, p.topP(), 1e-6);
        assertEquals(40, p.topK());
        assertEquals(0.05, p.minP(), 1e-6);
        assertEquals(0.5, p.presencePenalty(), 1e-6);
        assertEquals(-0.5, p.frequencyPenalty(), 1e-6);
        assertEquals(1.1, p.repetitionPenalty(), 1e-6);
        assertEquals(-100f, p.logitBias().get(65));
        assertEquals(3L, p.seed());
        assertEquals(2, p.maxTokens());
    }

    @Test
    void streamingChunksEndWithDoneAndUsageChunk() throws Exception {
        HttpResponse<String> r = h.post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":3,\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":true}}");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
        assertTrue(r.body().endsWith("data: [DONE]\n\n"), r.body());
        List<JsonNode> events = sseEvents(r.body());
        StringBuilder text = new StringBuilder();
        String finish = null;
        for (JsonNode e : events.subList(0, events.size() - 1)) {
            assertEquals("text_completion", e.get("object").asText());
            assertTrue(e.has("usage") && e.get("usage").isNull());
            JsonNode c = e.get("choices").get(0);
            text.append(c.get("text").asText());
            if (!c.get("finish_reason").isNull()) {
                finish = c.get("finish_reason").asText();
            }
        }
        assertEquals("abc", text.toString());
        assertEquals("length", finish);
        JsonNode last = events.getLast();
        assertEquals(0, last.get("choices").size());
        assertEquals(2, last.get("usage").get("prompt_tokens").asInt());
        assertEquals(3, last.get("usage").get("completion_tokens").asInt());
        assertEquals(events.getFirst().get("id"), last.get("id"));
    }

    @Test
    void streamingWithoutUsageHasNoUsageField() throws Exception {
        HttpResponse<String> r = h.post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":2,\"stream\":true,"
                + "\"echo\":true}");
        List<JsonNode> events = sseEvents(r.body());
        assertEquals("x", events.getFirst().get("choices").get(0).get("text").asText());
        for (JsonNode e : events) {
            assertTrue(!e.has("usage"));
        }
    }

    @Test
    void tokenizeAndDetokenize() throws Exception {
        JsonNode t = json(h.post("/tokenize", "{\"prompt\":\"ab\"}").body());
        assertEquals("[1,97,98]", t.get("tokens").toString());
        assertEquals(3, t.get("count").asInt());
        assertEquals(256, t.get("max_model_len").asInt());
        JsonNode noSpecial = json(h.post("/tokenize", "{\"prompt\":\"ab\",\"add_special_tokens\":false}").body());
        assertEquals("[97,98]", noSpecial.get("tokens").toString());
        JsonNode d = json(h.post("/detokenize", "{\"tokens\":[1,97,98]}").body());
        assertEquals("<s>ab", d.get("prompt").asText());
        // over 8 KiB characters: tokenized on a worker thread, same answer
        JsonNode longPrompt = json(h.post("/tokenize", "{\"prompt\":\"" + "z".repeat(10_000) + "\"}").body());
        assertEquals(10_001, longPrompt.get("count").asInt());
    }

    @Test
    void modelsListsTheServedModel() throws Exception {
        JsonNode j = json(h.get("/v1/models").body());
        assertEquals("list", j.get("object").asText());
        JsonNode m = j.get("data").get(0);
        assertEquals("fake", m.get("id").asText());
        assertEquals("model", m.get("object").asText());
        assertEquals("gannet", m.get("owned_by").asText());
        assertEquals(256, m.get("gannet").get("context_length").asInt());
        assertEquals("cpu", m.get("gannet").get("device").asText());
        assertEquals("none", m.get("gannet").get("sharding").asText());
    }
}
