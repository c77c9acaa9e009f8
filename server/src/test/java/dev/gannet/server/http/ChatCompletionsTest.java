package dev.gannet.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gannet.server.api.FakeBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.List;

import static dev.gannet.server.http.ServerHarness.json;
import static dev.gannet.server.http.ServerHarness.sseEvents;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChatCompletionsTest {
    static ServerHarness h;
    static final String HELLO = "\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},"
            + "{\"role\":\"user\",\"content\":\"hi\"}]";

    @BeforeAll
    static void start() throws Exception {
        h = new ServerHarness();
    }

    @AfterAll
    static void stop() throws Exception {
        h.close();
    }

    @Test
    void templateRendersMessagesAndResponseHasChatShape() throws Exception {
        h.backend.submitted.clear();
        HttpResponse<String> r = h.post("/v1/chat/completions", "{\"model\":\"fake\"," + HELLO + ",\"max_tokens\":4}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode j = json(r.body());
        assertTrue(j.get("id").asText().startsWith("chatcmpl-"));
        assertEquals("chat.completion", j.get("object").asText());
        JsonNode c = j.get("choices").get(0);
        assertEquals("assistant", c.get("message").get("role").asText());
        assertEquals("abcd", c.get("message").get("content").asText());
        assertEquals("length", c.get("finish_reason").asText());
        String rendered = "<s><|system|>be brief<|user|>hi<|assistant|>";
        // the template writes BOS itself: the prompt is tokenized without adding specials
        assertArrayEquals(h.backend.tokenize(rendered, false), h.backend.submitted.getFirst().prompt());
        assertEquals(rendered.length(), j.get("usage").get("prompt_tokens").asInt());
        assertEquals(4, j.get("usage").get("completion_tokens").asInt());
    }

    @Test
    void maxCompletionTokensAndTextParts() throws Exception {
        JsonNode j = json(h.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":"
                + "[{\"type\":\"text\",\"text\":\"hi\"}]}],\"max_completion_tokens\":2}").body());
        assertEquals("ab", j.get("choices").get(0).get("message").get("content").asText());
    }

    @Test
    void defaultMaxTokensFillsTheContext() throws Exception {
        h.backend.submitted.clear();
        h.post("/v1/chat/completions", "{" + HELLO + ",\"stop\":\"c\"}");
        var req = h.backend.submitted.getFirst();
        assertTrue(req.sampling().unlimited(), "without max_tokens only the context ends the output: " + req.sampling());
    }

    @Test
    void logprobsInChatFormat() throws Exception {
        JsonNode j = json(h.post("/v1/chat/completions", "{" + HELLO
                + ",\"max_tokens\":2,\"logprobs\":true,\"top_logprobs\":2}").body());
        JsonNode content = j.get("choices").get(0).get("logprobs").get("content");
        assertEquals(2, content.size());
        assertEquals("a", content.get(0).get("token").asText());
        assertEquals(-0.5, content.get(0).get("logprob").asDouble(), 1e-6);
        assertEquals("[97]", content.get(0).get("bytes").toString());
        assertEquals("A", content.get(0).get("top_logprobs").get(0).get("token").asText());
        assertEquals(2, content.get(0).get("top_logprobs").size());
    }

    @Test
    void streamingSendsRoleFirstThenDeltasThenFinish() throws Exception {
        HttpResponse<String> r = h.post("/v1/chat/completions", "{" + HELLO
                + ",\"max_tokens\":3,\"stream\":true,\"n\":2,\"stream_options\":{\"include_usage\":true}}");
        assertTrue(r.body().endsWith("data: [DONE]\n\n"));
        List<JsonNode> events = sseEvents(r.body());
        StringBuilder[] text = {new StringBuilder(), new StringBuilder()};
        boolean[] sawRole = new boolean[2];
        String[] finish = new String[2];
        for (JsonNode e : events.subList(0, events.size() - 1)) {
            assertEquals("chat.completion.chunk", e.get("object").asText());
            JsonNode c = e.get("choices").get(0);
            int i = c.get("index").asInt();
            JsonNode delta = c.get("delta");
            if (delta.has("role")) {
                assertFalse(sawRole[i]);
                assertTrue(text[i].isEmpty(), "role must come first");
                assertEquals("assistant", delta.get("role").asText());
                sawRole[i] = true;
            }
            if (delta.has("content")) {
                text[i].append(delta.get("content").asText());
            }
            if (!c.get("finish_reason").isNull()) {
                finish[i] = c.get("finish_reason").asText();
                assertEquals(0, delta.size());
            }
        }
        assertEquals("abc", text[0].toString());
        assertEquals("abc", text[1].toString());
        assertEquals("length", finish[0]);
        assertTrue(sawRole[1]);
        assertEquals(6, events.getLast().get("usage").get("completion_tokens").asInt());
    }

    @Test
    void raiseExceptionInTemplateIsA400() throws Exception {
        try (ServerHarness strict = new ServerHarness(new FakeBackend(256).chatTemplate(
                "{% if messages[0]['role'] != 'user' %}{{ raise_exception('first message must be from the user') }}"
                        + "{% endif %}{{ messages[0]['content'] }}"), ServerOptions.defaults("fake"))) {
            HttpResponse<String> r = strict.post("/v1/chat/completions", "{" + HELLO + "}");
            assertEquals(400, r.statusCode());
            JsonNode err = json(r.body()).get("error");
            assertEquals("messages", err.get("param").asText());
            assertTrue(err.get("message").asText().contains("first message must be from the user"), r.body());
        }
    }

    @Test
    void noTemplateIsA400AndOverrideFixesIt() throws Exception {
        try (ServerHarness none = new ServerHarness(new FakeBackend(256).chatTemplate(null),
                ServerOptions.defaults("fake"))) {
            HttpResponse<String> r = none.post("/v1/chat/completions", "{" + HELLO + "}");
            assertEquals(400, r.statusCode());
            assertTrue(json(r.body()).get("error").get("message").asText().contains("--chat-template"));
        }
        try (ServerHarness override = new ServerHarness(new FakeBackend(256).chatTemplate(null),
                ServerOptions.defaults("fake").withChatTemplate("{% for m in messages %}{{ m.content }}{% endfor %}"))) {
            override.backend.submitted.clear();
            HttpResponse<String> r = override.post("/v1/chat/completions", "{" + HELLO + ",\"max_tokens\":1}");
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("be briefhi",
                    override.backend.detokenize(override.backend.submitted.getFirst().prompt()));
        }
    }

    @Test
    void textPartsAreJoinedWithANewlineAsVllmDoes() throws Exception {
        h.backend.submitted.clear();
        h.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Describe this:\"},"
                + "{\"type\":\"text\",\"text\":\"a red fox\"}]}],\"max_tokens\":1}");
        String prompt = h.backend.detokenize(h.backend.submitted.getFirst().prompt());
        assertTrue(prompt.contains("Describe this:\na red fox"), prompt);
    }

    @Test
    void priorityAndCacheSaltReachTheEngine() throws Exception {
        h.backend.submitted.clear();
        h.post("/v1/chat/completions", "{" + HELLO + ",\"max_tokens\":1,\"priority\":-3,\"cache_salt\":\"tenant-a\"}");
        h.post("/v1/chat/completions", "{" + HELLO + ",\"max_tokens\":1,\"cache_salt\":\"tenant-a\"}");
        h.post("/v1/chat/completions", "{" + HELLO + ",\"max_tokens\":1,\"cache_salt\":\"tenant-b\"}");
        h.post("/v1/chat/completions", "{" + HELLO + ",\"max_tokens\":1}");
        var r = h.backend.submitted;
        assertEquals(-3, r.get(0).priority());
        assertEquals(0, r.get(1).priority());
        assertTrue(r.get(0).cacheKey() != 0);
        assertEquals(r.get(0).cacheKey(), r.get(1).cacheKey(), "the same salt is the same namespace");
        assertTrue(r.get(0).cacheKey() != r.get(2).cacheKey(), "another salt, another namespace");
        assertEquals(0, r.get(3).cacheKey(), "no salt: the shared namespace");
    }
}
