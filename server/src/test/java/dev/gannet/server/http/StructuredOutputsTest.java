package dev.gannet.server.http;

import static dev.gannet.server.http.ServerHarness.json;
import static dev.gannet.server.http.ServerHarness.sseEvents;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gannet.runtime.constraint.ConstraintKind;
import dev.gannet.runtime.engine.Request;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Structured output through the OpenAI routes: every spelling reaches the engine as a compiled constraint on each
 * choice's request, the (fake) engine's output obeys it, and a constraint that does not compile is a 400 naming the
 * field and the place of the problem, before anything is queued.
 */
class StructuredOutputsTest {
    private static final String CHAT = "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],";
    private static final String SCHEMA = "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\",\"maxLength\":5},"
            + "\"age\":{\"type\":\"integer\"}},\"required\":[\"name\",\"age\"],\"additionalProperties\":false}";
    static ServerHarness h;

    @BeforeAll
    static void start() throws Exception {
        h = new ServerHarness();
    }

    @AfterAll
    static void stop() throws Exception {
        h.close();
    }

    private static Request last() {
        List<Request> all = h.backend.submitted;
        return all.get(all.size() - 1);
    }

    private static JsonNode ok(String path, String body) throws Exception {
        HttpResponse<String> r = h.post(path, body);
        assertEquals(200, r.statusCode(), r.body());
        return json(r.body());
    }

    @Test
    void chatJsonSchemaResponseFormatGivesSchemaValidContent() throws Exception {
        JsonNode j = ok("/v1/chat/completions", "{" + CHAT + "\"max_tokens\":60,\"response_format\":{\"type\":\"json_schema\","
                + "\"json_schema\":{\"name\":\"person\",\"strict\":true,\"schema\":" + SCHEMA + "}}}");
        JsonNode c = j.get("choices").get(0);
        assertEquals("stop", c.get("finish_reason").asText(), c.toString());
        JsonNode content = json(c.get("message").get("content").asText());
        assertTrue(content.get("name").isTextual() && content.get("age").isIntegralNumber(), content.toString());
        assertEquals(2, content.size());
        assertEquals(ConstraintKind.JSON_SCHEMA, last().constraint().spec().kind());
    }

    @Test
    void jsonObjectOnCompletionsAndChatStreaming() throws Exception {
        JsonNode j = ok("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":20,\"response_format\":{\"type\":\"json_object\"}}");
        assertTrue(json(j.get("choices").get(0).get("text").asText()).isObject());
        HttpResponse<String> r = h.post("/v1/chat/completions", "{" + CHAT + "\"stream\":true,\"max_tokens\":20,"
                + "\"structured_outputs\":{\"json_object\":true}}");
        assertEquals(200, r.statusCode(), r.body());
        StringBuilder text = new StringBuilder();
        String finish = null;
        for (JsonNode e : sseEvents(r.body())) {
            JsonNode ch = e.get("choices").get(0);
            if (ch.get("delta").has("content")) text.append(ch.get("delta").get("content").asText());
            if (!ch.get("finish_reason").isNull()) finish = ch.get("finish_reason").asText();
        }
        assertTrue(json(text.toString()).isObject(), text.toString());
        assertEquals("stop", finish);
    }

    @Test
    void everyChoiceOfNWalksTheConstraintOnItsOwn() throws Exception {
        JsonNode j = ok("/v1/completions", "{\"prompt\":\"x\",\"n\":3,\"seed\":0,\"max_tokens\":10,"
                + "\"guided_choice\":[\"apple\",\"kiwi\",\"pear\"]}");
        for (JsonNode c : j.get("choices")) {
            assertTrue(List.of("apple", "kiwi", "pear").contains(c.get("text").asText()), c.toString());
        }
        List<Request> all = h.backend.submitted;
        Request a = all.get(all.size() - 1);
        Request b = all.get(all.size() - 2);
        assertNotNull(a.constraint());
        assertTrue(a.constraint() == b.constraint(), "the choices share one compiled constraint (each walks its own matcher)");
    }

    @Test
    void regexAndGrammarInEverySpelling() throws Exception {
        String[] bodies = {"\"guided_regex\":\"[0-9]{3}-[a-z]{2}\"", "\"structured_outputs\":{\"regex\":\"[0-9]{3}-[a-z]{2}\"}",
                "\"guided_grammar\":\"root ::= [0-9] [0-9] [0-9] \\\"-\\\" [a-z] [a-z]\"",
                "\"structured_outputs\":{\"grammar\":\"root ::= [0-9]{3} \\\"-\\\" [a-z]{2}\"}"};
        for (String field : bodies) {
            JsonNode j = ok("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":10,\"seed\":3," + field + "}");
            String text = j.get("choices").get(0).get("text").asText();
            assertTrue(text.matches("[0-9]{3}-[a-z]{2}"), field + " -> " + text);
        }
        JsonNode choice = ok("/v1/chat/completions", "{" + CHAT + "\"structured_outputs\":{\"choice\":[\"yes\",\"no\"]}}");
        assertTrue(List.of("yes", "no").contains(choice.get("choices").get(0).get("message").get("content").asText()));
        JsonNode schemaText = ok("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":30,\"guided_json\":" + json(SCHEMA) + "}");
        assertTrue(json(schemaText.get("choices").get(0).get("text").asText()).has("age"));
    }

    @Test
    void aBadSchemaIsA400WithItsPointerAndNothingIsQueued() throws Exception {
        int before = h.backend.submitted.size();
        HttpResponse<String> r = h.post("/v1/chat/completions", "{" + CHAT + "\"response_format\":{\"type\":\"json_schema\","
                + "\"json_schema\":{\"name\":\"p\",\"schema\":{\"type\":\"object\",\"properties\":{\"age\":{\"type\":\"integr\"}}}}}}");
        assertEquals(400, r.statusCode(), r.body());
        JsonNode err = json(r.body()).get("error");
        assertEquals("response_format", err.get("param").asText());
        assertTrue(err.get("message").asText().contains("/properties/age/type"), err.toString());
        assertEquals(before, h.backend.submitted.size());
    }

    @Test
    void aBadGrammarIsA400WithItsLine() throws Exception {
        HttpResponse<String> r = h.post("/v1/completions", "{\"prompt\":\"x\","
                + "\"guided_grammar\":\"root ::= item+\\nitem ::= [a-z\"}");
        assertEquals(400, r.statusCode(), r.body());
        JsonNode err = json(r.body()).get("error");
        assertEquals("guided_grammar", err.get("param").asText());
        assertTrue(err.get("message").asText().contains("line 2, column"), err.toString());
    }

    @Test
    void textAndFalseAskForNothing() throws Exception {
        ok("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":2,\"response_format\":{\"type\":\"text\"}}");
        assertEquals(null, last().constraint());
        ok("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":2,\"structured_outputs\":{\"json_object\":false},"
                + "\"guided_decoding_backend\":\"xgrammar\"}");
        assertEquals(null, last().constraint());
    }
}
