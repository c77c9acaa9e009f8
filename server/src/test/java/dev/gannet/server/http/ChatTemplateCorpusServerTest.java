package dev.gannet.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gannet.server.api.FakeBackend;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static dev.gannet.server.http.ServerHarness.JSON;
import static dev.gannet.server.http.ServerHarness.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 20's end-to-end check: every case of the shared corpus ({@code ../shared/chat-templates/cases.jsonl}) sent to
 * vLLM's {@code /tokenize} with {@code messages} (and {@code tools}) gives the ids of Hugging Face's exact rendering,
 * or a 400 carrying the reference's own error. The fake backend's tokenizer maps each character to its code, so the
 * ids are the expected text's characters.
 */
class ChatTemplateCorpusServerTest {
    static final Clock CORPUS_DATE = Clock.fixed(LocalDate.of(2024, 7, 26).atStartOfDay().toInstant(ZoneOffset.UTC), ZoneOffset.UTC);

    static Path corpus() {
        Path dir = Path.of(System.getProperty("gannet.models.dir", "../../shared/models")).resolveSibling("chat-templates");
        if (!Files.isRegularFile(dir.resolve("cases.jsonl"))) {
            throw new AssertionError("chat template corpus missing: " + dir.resolve("cases.jsonl").toAbsolutePath());
        }
        return dir;
    }

    @TestFactory
    Stream<DynamicTest> everyCaseThroughTokenizeWithMessages() throws Exception {
        List<JsonNode> cases = new ArrayList<>();
        for (String line : Files.readAllLines(corpus().resolve("cases.jsonl"))) {
            if (!line.isBlank()) cases.add(JSON.readTree(line));
        }
        assertEquals(81, cases.size());
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.get("template").asText() + " / " + c.get("case").asText(), () -> {
            String template = Files.readString(corpus().resolve("templates").resolve(c.get("template").asText()));
            FakeBackend backend = new FakeBackend(1 << 20).chatTemplate(template)
                    .specialTokens(c.get("bos_token").asText(), c.get("eos_token").asText());
            try (ServerHarness h = new ServerHarness(backend, ServerOptions.defaults("fake").withLimits(64L << 20, 256,
                    java.time.Duration.ofMinutes(1), java.time.Duration.ofSeconds(1)), CORPUS_DATE)) {
                ObjectNode body = ((ObjectNode) c.get("request")).deepCopy();
                body.put("add_generation_prompt", c.path("add_generation_prompt").asBoolean(true));
                HttpResponse<String> r = h.post("/tokenize", JSON.writeValueAsString(body));
                if (c.has("expected")) {
                    assertEquals(200, r.statusCode(), r.body());
                    String expected = c.get("expected").asText();
                    JsonNode got = json(r.body());
                    assertEquals(expected, got.get("prompt").asText());
                    int[] ids = backend.tokenize(expected, false);
                    assertEquals(ids.length, got.get("count").asInt());
                    for (int i = 0; i < ids.length; i++) assertEquals(ids[i], got.get("tokens").get(i).asInt(), "token " + i);
                } else {
                    assertEquals(400, r.statusCode(), r.body());
                    // the reference's "Kind: detail"; a template's own raise_exception reads as its detail alone
                    String expected = c.get("expected_error").asText();
                    String detail = expected.substring(expected.indexOf(": ") + 2);
                    String message = json(r.body()).get("error").get("message").asText();
                    assertTrue(message.contains(expected) || expected.startsWith("TemplateError: ") && message.contains(detail),
                            expected + " vs " + message);
                }
            }
        }));
    }
}
