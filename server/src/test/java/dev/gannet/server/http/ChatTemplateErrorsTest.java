package dev.gannet.server.http;

import static dev.gannet.server.http.ServerHarness.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gannet.server.api.FakeBackend;
import java.net.http.HttpResponse;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A model's chat template is untrusted input: one that does not parse, fails, or runs away is a 400 naming
 * the template problem, never a 500 or a hung worker; a broken --chat-template stops start-up.
 */
class ChatTemplateErrorsTest {
    private static final String CHAT = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":1}";

    private static JsonNode error400(String template) throws Exception {
        try (ServerHarness h = new ServerHarness(new FakeBackend(256).chatTemplate(template), ServerOptions.defaults("fake"))) {
            HttpResponse<String> r = h.post("/v1/chat/completions", CHAT);
            assertEquals(400, r.statusCode(), r.body());
            JsonNode err = json(r.body()).get("error");
            assertEquals("messages", err.get("param").asText());
            HttpResponse<String> completions = h.post("/v1/completions", "{\"prompt\":\"hi\",\"max_tokens\":1}");
            assertEquals(200, completions.statusCode(), "the server keeps serving: " + completions.body());
            return err;
        }
    }

    @Test
    void brokenTemplatesAre400sNamingTheProblem() throws Exception {
        assertTrue(error400("{% for m in messages %}").get("message").asText()
                .contains("TemplateSyntaxError: Unexpected end of template"));
        assertTrue(error400("{{ messages[0].content + 1 }}").get("message").asText()
                .contains("TypeError: can only concatenate str (not \"int\") to str"));
        assertTrue(error400("{% for x in tools %}{% endfor %}").get("message").asText()
                .contains("TypeError: 'NoneType' object is not iterable"));
        assertTrue(error400("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}").get("message").asText()
                .contains("TemplateLimitError"));
        assertTrue(error400("{{ raise_exception('no system role here') }}").get("message").asText()
                .contains("chat template rejected the messages: no system role here"));
    }

    @Test
    void aBrokenChatTemplateFlagStopsStartUp() {
        GannetServer server = new GannetServer(ServerOptions.defaults("fake").withChatTemplate("{% if %}"), new FakeBackend(256));
        try {
            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> server.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause().getMessage().contains("--chat-template: TemplateSyntaxError"), e.getCause().getMessage());
        } finally {
            server.close().toCompletionStage().toCompletableFuture().join();
        }
    }
}
