package dev.gannet.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gannet.runtime.toolcall.ToolCallFormat;
import dev.gannet.server.api.FakeBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.gannet.server.http.ServerHarness.json;
import static dev.gannet.server.http.ServerHarness.sseEvents;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tool calling through /v1/chat/completions with scripted model output (the fake backend writes exactly the text it is
 * given), in the shared Qwen2.5 template's format (hermes, detected from the template).
 */
class ToolCallsTest {
    static ServerHarness h;
    static final String TOOLS = "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
            + "\"description\":\"Weather now\",\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\",\"maxLength\":8}},"
            + "\"required\":[\"city\"]}}},{\"type\":\"function\",\"function\":{\"name\":\"now\"}}]";
    static final String ASK = "\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Paris?\"}]";
    static final String CALL = "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>";

    static String template(String file) throws Exception {
        Path dir = ChatTemplateCorpusServerTest.corpus().resolve("templates");
        return Files.readString(dir.resolve(file));
    }

    @BeforeAll
    static void start() throws Exception {
        FakeBackend backend = new FakeBackend(4096).chatTemplate(template("Qwen-Qwen2.5-7B-Instruct.jinja"))
                .specialTokens("", "<|im_end|>");
        h = new ServerHarness(backend, ServerOptions.defaults("fake"));
    }

    @AfterAll
    static void stop() throws Exception {
        h.close();
    }

    @BeforeEach
    void reset() {
        h.backend.script(null);
        h.backend.submitted.clear();
    }

    @Test
    void toolsReachTheTemplateAndACallComesBack() throws Exception {
        h.backend.script("I will check.\n" + CALL);
        HttpResponse<String> r = h.post("/v1/chat/completions", "{" + ASK + "," + TOOLS + "}");
        assertEquals(200, r.statusCode(), r.body());
        String prompt = h.backend.detokenize(h.backend.submitted.getFirst().prompt());
        assertTrue(prompt.contains("<tools>\n{\"type\": \"function\", \"function\": {\"name\": \"get_weather\""), prompt);
        JsonNode choice = json(r.body()).get("choices").get(0);
        assertEquals("tool_calls", choice.get("finish_reason").asText());
        JsonNode message = choice.get("message");
        assertEquals("I will check.", message.get("content").asText());
        JsonNode call = message.get("tool_calls").get(0);
        assertTrue(call.get("id").asText().matches("call_[A-Za-z0-9]{24}"), call.toString());
        assertEquals("function", call.get("type").asText());
        assertEquals("get_weather", call.get("function").get("name").asText());
        assertEquals("{\"city\": \"Paris\"}", call.get("function").get("arguments").asText());
    }

    @Test
    void onlyCallsMeansNullContent() throws Exception {
        h.backend.script(CALL + "\n<tool_call>\n{\"name\": \"now\", \"arguments\": {}}\n</tool_call>");
        JsonNode message = json(h.post("/v1/chat/completions", "{" + ASK + "," + TOOLS + "}").body())
                .get("choices").get(0).get("message");
        assertTrue(message.get("content").isNull(), message.toString());
        assertEquals(2, message.get("tool_calls").size());
        assertEquals("now", message.get("tool_calls").get(1).get("function").get("name").asText());
    }

    @Test
    void parallelToolCallsFalseKeepsOne() throws Exception {
        h.backend.script(CALL + "\n" + CALL);
        JsonNode message = json(h.post("/v1/chat/completions", "{" + ASK + "," + TOOLS + ",\"parallel_tool_calls\":false}")
                .body()).get("choices").get(0).get("message");
        assertEquals(1, message.get("tool_calls").size());
    }

    @Test
    void malformedCallIsContentAndToolChoiceNoneDoesNotParse() throws Exception {
        String bad = "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": }\n</tool_call>";
        h.backend.script(bad);
        JsonNode choice = json(h.post("/v1/chat/completions", "{" + ASK + "," + TOOLS + "}").body()).get("choices").get(0);
        assertEquals(bad, choice.get("message").get("content").asText());
        assertFalse(choice.get("message").has("tool_calls"));
        assertEquals("stop", choice.get("finish_reason").asText());

        h.backend.script(CALL);
        h.backend.submitted.clear();
        choice = json(h.post("/v1/chat/completions", "{" + ASK + "," + TOOLS + ",\"tool_choice\":\"none\"}").body())
                .get("choices").get(0);
        assertEquals(CALL, choice.get("message").get("content").asText());
        assertFalse(choice.get("message").has("tool_calls"));
        String prompt = h.backend.detokenize(h.backend.submitted.getFirst().prompt());
        assertTrue(prompt.contains("<tools>"), "tool_choice none still shows the tools to the template, as vLLM: " + prompt);
    }

    @Test
    void streamingSendsContentThenCallDeltas() throws Exception {
        h.backend.script("Checking.\n" + CALL);
        HttpResponse<String> r = h.post("/v1/chat/completions", "{" + ASK + "," + TOOLS + ",\"stream\":true}");
        assertEquals(200, r.statusCode(), r.body());
        List<JsonNode> events = sseEvents(r.body());
        StringBuilder content = new StringBuilder();
        StringBuilder args = new StringBuilder();
        JsonNode first = null;
        int argChunks = 0;
        String finish = null;
        for (JsonNode e : events) {
            JsonNode c = e.get("choices").get(0);
            JsonNode d = c.get("delta");
            if (d.has("content")) content.append(d.get("content").asText());
            if (d.has("tool_calls")) {
                JsonNode tc = d.get("tool_calls").get(0);
                assertEquals(0, tc.get("index").asInt());
                if (tc.has("id")) {
                    assertTrue(first == null, "one first delta per call");
                    first = tc;
                } else {
                    argChunks++;
                }
                args.append(tc.get("function").get("arguments").asText());
            }
            if (!c.get("finish_reason").isNull()) finish = c.get("finish_reason").asText();
        }
        assertEquals("Checking.", content.toString());
        assertTrue(first != null && first.get("id").asText().startsWith("call_"), r.body());
        assertEquals("function", first.get("type").asText());
        assertEquals("get_weather", first.get("function").get("name").asText());
        assertEquals("{\"city\": \"Paris\"}", args.toString());
        assertTrue(argChunks > 1, "arguments arrive in fragments as the model writes them: " + r.body());
        assertEquals("tool_calls", finish);
        assertFalse(r.body().contains("tool_call>"), "markers never reach the client: " + r.body());
    }

    @Test
    void assistantCallsAndToolResultsGoBackIntoTheTemplate() throws Exception {
        h.backend.script("It is sunny.");
        String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Paris?\"},"
                + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\","
                + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\": \\\"Paris\\\"}\"}}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"sunny, 21 C\"}]," + TOOLS + "}";
        HttpResponse<String> r = h.post("/v1/chat/completions", body);
        assertEquals(200, r.statusCode(), r.body());
        String prompt = h.backend.detokenize(h.backend.submitted.getFirst().prompt());
        assertTrue(prompt.contains(CALL), prompt);
        assertTrue(prompt.contains("<tool_response>\nsunny, 21 C\n</tool_response>"), prompt);
        JsonNode choice = json(r.body()).get("choices").get(0);
        assertEquals("It is sunny.", choice.get("message").get("content").asText());
        assertEquals("stop", choice.get("finish_reason").asText());
    }

    /** The fake engine writes what the constraint allows (closing characters first): the output is always a call. */
    @Test
    void requiredAndNamedChoicesAreConstrainedToCalls() throws Exception {
        for (String choice : new String[] {"\"required\"", "{\"type\":\"function\",\"function\":{\"name\":\"now\"}}"}) {
            for (boolean stream : new boolean[] {false, true}) {
                HttpResponse<String> r = h.post("/v1/chat/completions", "{" + ASK + "," + TOOLS + ",\"tool_choice\":"
                        + choice + ",\"stream\":" + stream + ",\"max_tokens\":200}");
                assertEquals(200, r.statusCode(), r.body());
                String name;
                String args;
                String finish;
                if (stream) {
                    StringBuilder a = new StringBuilder();
                    String n = null;
                    String f = null;
                    for (JsonNode e : sseEvents(r.body())) {
                        JsonNode c = e.get("choices").get(0);
                        assertFalse(c.get("delta").has("content") && !c.get("delta").get("content").asText().isEmpty(), r.body());
                        JsonNode tc = c.get("delta").path("tool_calls").path(0);
                        if (tc.has("id")) n = tc.get("function").get("name").asText();
                        if (tc.has("function")) a.append(tc.get("function").get("arguments").asText());
                        if (!c.get("finish_reason").isNull()) f = c.get("finish_reason").asText();
                    }
                    name = n;
                    args = a.toString();
                    finish = f;
                } else {
                    JsonNode c = json(r.body()).get("choices").get(0);
                    assertTrue(c.get("message").get("content").isNull(), r.body());
                    assertEquals(1, c.get("message").get("tool_calls").size(), r.body());
                    JsonNode fn = c.get("message").get("tool_calls").get(0).get("function");
                    name = fn.get("name").asText();
                    args = fn.get("arguments").asText();
                    finish = c.get("finish_reason").asText();
                }
                assertEquals("tool_calls", finish, r.body());
                if (choice.contains("now")) assertEquals("now", name);
                JsonNode parsedArgs = json(args);
                assertTrue(parsedArgs.isObject(), args);
                if (name.equals("get_weather")) assertTrue(parsedArgs.get("city").isTextual(), args);
            }
        }
        String grammar = h.backend.submitted.getLast().constraint().spec().text();
        assertTrue(grammar.contains("<tool_call>"), "the frame is the template's: " + grammar);
    }

    @Test
    void constrainedChoicesRefuseWhatCannotBeCombined() throws Exception {
        HttpResponse<String> r = h.post("/v1/chat/completions", "{" + ASK + "," + TOOLS
                + ",\"tool_choice\":\"required\",\"response_format\":{\"type\":\"json_object\"}}");
        assertEquals(400, r.statusCode(), r.body());
        assertEquals("tool_choice", json(r.body()).get("error").get("param").asText());
        r = h.post("/v1/chat/completions", "{" + ASK + ",\"tool_choice\":\"required\",\"tools\":[{\"type\":\"function\","
                + "\"function\":{\"name\":\"f\",\"parameters\":{\"type\":\"object\",\"properties\":{\"a\":{\"oneOf\":[]}}}}}]}");
        assertEquals(400, r.statusCode(), r.body());
        assertEquals("tools", json(r.body()).get("error").get("param").asText());
        assertTrue(r.body().contains("/schemas/args-f/properties/a"), r.body());
    }

    @Test
    void badToolsAreNamed400s() throws Exception {
        String[][] cases = {
            {"\"tools\":[{\"type\":\"retrieval\"}]", "tools"},
            {"\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"a b\"}}]", "tools"},
            {"\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":[]}}]", "tools"},
            {"\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}},{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]", "tools"},
            {TOOLS + ",\"tool_choice\":\"sometimes\"", "tool_choice"},
            {TOOLS + ",\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"other\"}}", "tool_choice"},
            {"\"tool_choice\":\"required\"", "tool_choice"},
            {TOOLS + ",\"parallel_tool_calls\":\"yes\"", "parallel_tool_calls"},
        };
        for (String[] c : cases) {
            HttpResponse<String> r = h.post("/v1/chat/completions", "{" + ASK + "," + c[0] + "}");
            assertEquals(400, r.statusCode(), c[0] + ": " + r.body());
            assertEquals(c[1], json(r.body()).get("error").get("param").asText(), r.body());
        }
    }

    @Test
    void aTemplateWithoutAToolFormatNeedsTheOption() throws Exception {
        try (ServerHarness plain = new ServerHarness(new FakeBackend(4096).script(CALL), ServerOptions.defaults("fake"))) {
            HttpResponse<String> r = plain.post("/v1/chat/completions", "{" + ASK + "," + TOOLS + "}");
            assertEquals(400, r.statusCode(), r.body());
            assertTrue(r.body().contains("--tool-call-parser"), r.body());
            // tool_choice none needs no parser
            assertEquals(200, plain.post("/v1/chat/completions", "{" + ASK + "," + TOOLS + ",\"tool_choice\":\"none\"}").statusCode());
        }
        try (ServerHarness configured = new ServerHarness(new FakeBackend(4096).script(CALL),
                ServerOptions.defaults("fake").withToolCallParser(ToolCallFormat.HERMES))) {
            JsonNode message = json(configured.post("/v1/chat/completions", "{" + ASK + "," + TOOLS + "}").body())
                    .get("choices").get(0).get("message");
            assertEquals("get_weather", message.get("tool_calls").get(0).get("function").get("name").asText());
        }
    }
}
