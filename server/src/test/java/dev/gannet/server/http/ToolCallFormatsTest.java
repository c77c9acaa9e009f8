package dev.gannet.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gannet.server.api.FakeBackend;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;

import static dev.gannet.server.http.ServerHarness.json;
import static dev.gannet.server.http.ToolCallsTest.ASK;
import static dev.gannet.server.http.ToolCallsTest.TOOLS;
import static dev.gannet.server.http.ToolCallsTest.template;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Llama 3.1 and Mistral Nemo templates from the shared corpus: their format is read from the template, their
 * calls are parsed, and the call goes back into the same template in the next turn.
 */
class ToolCallFormatsTest {

    /** Sends the scripted output, checks the call, sends the call and a result back; returns the second prompt. */
    private static String roundTrip(String templateFile, String bos, String eos, String output, String idPattern) throws Exception {
        FakeBackend backend = new FakeBackend(1 << 16).chatTemplate(template(templateFile)).specialTokens(bos, eos).script(output);
        try (ServerHarness h = new ServerHarness(backend, ServerOptions.defaults("fake"))) {
            HttpResponse<String> r = h.post("/v1/chat/completions", "{" + ASK + "," + TOOLS + "}");
            assertEquals(200, r.statusCode(), r.body());
            JsonNode choice = json(r.body()).get("choices").get(0);
            assertEquals("tool_calls", choice.get("finish_reason").asText(), r.body());
            JsonNode call = choice.get("message").get("tool_calls").get(0);
            assertTrue(call.get("id").asText().matches(idPattern), call.toString());
            assertEquals("get_weather", call.get("function").get("name").asText());
            assertEquals("{\"city\": \"Paris\"}", call.get("function").get("arguments").asText());

            backend.script("It is sunny.");
            backend.submitted.clear();
            String id = call.get("id").asText();
            String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Paris?\"},{\"role\":\"assistant\","
                    + "\"content\":null,\"tool_calls\":[" + call + "]},{\"role\":\"tool\",\"tool_call_id\":\"" + id
                    + "\",\"content\":\"sunny\"}]," + TOOLS + "}";
            HttpResponse<String> second = h.post("/v1/chat/completions", body);
            assertEquals(200, second.statusCode(), second.body());
            assertEquals("It is sunny.", json(second.body()).get("choices").get(0).get("message").get("content").asText());
            return backend.detokenize(backend.submitted.getFirst().prompt());
        }
    }

    @Test
    void llama31JsonCalls() throws Exception {
        String prompt = roundTrip("meta-llama-Llama-3.1-8B-Instruct.jinja", "<|begin_of_text|>", "<|eot_id|>",
                "{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\"}}", "call_[A-Za-z0-9]{24}");
        assertTrue(prompt.contains("{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\"}}<|eot_id|>"), prompt);
        // a string is iterable to jinja2, so this template writes a tool result through tojson, as Hugging Face does
        assertTrue(prompt.contains("<|start_header_id|>ipython<|end_header_id|>\n\n\"sunny\"<|eot_id|>"), prompt);
    }

    /** Mistral's template refuses any call id but 9 letters or digits, so the server makes such ids for it. */
    @Test
    void mistralCallsWithNineCharacterIds() throws Exception {
        String prompt = roundTrip("mistralai-Mistral-Nemo-Instruct-2407.jinja", "<s>", "</s>",
                "[TOOL_CALLS][{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}]", "[A-Za-z0-9]{9}");
        assertTrue(prompt.contains("[TOOL_CALLS][{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}, \"id\": \""), prompt);
        assertTrue(prompt.contains("[TOOL_RESULTS]{\"content\": sunny, \"call_id\": \""), prompt);
    }
}
