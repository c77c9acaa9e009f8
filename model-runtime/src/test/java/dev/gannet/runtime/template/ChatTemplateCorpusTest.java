package dev.gannet.runtime.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gannet.runtime.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every case of the shared corpus ({@code ../shared/chat-templates/cases.jsonl}: 17 real templates, each
 * conversation rendered by Hugging Face's {@code apply_chat_template}) renders to exactly the expected
 * text. Where the reference itself fails, we must fail too, and the matching rule is exact: our
 * {@code kind: detail} equals the reference's {@code ExceptionClass: message}
 * (e.g. {@code TypeError: 'NoneType' object is not iterable}).
 */
class ChatTemplateCorpusTest {
    static final ObjectMapper JSON = new ObjectMapper();
    /** The reference fixes strftime_now at this date (midnight). */
    static final Clock CORPUS_DATE = Clock.fixed(LocalDate.of(2024, 7, 26).atStartOfDay().toInstant(ZoneOffset.UTC), ZoneOffset.UTC);

    static Path corpus() {
        Path dir = TestModels.dir().resolveSibling("chat-templates");
        if (!Files.isRegularFile(dir.resolve("cases.jsonl"))) {
            throw new AssertionError("chat template corpus missing: " + dir.resolve("cases.jsonl").toAbsolutePath());
        }
        return dir;
    }

    static List<JsonNode> cases() throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(corpus().resolve("cases.jsonl"))) {
            if (!line.isBlank()) out.add(JSON.readTree(line));
        }
        return out;
    }

    /** Renders one case as the reference does; returns the text or throws. */
    static String render(JsonNode c) throws IOException {
        String source = Files.readString(corpus().resolve("templates").resolve(c.get("template").asText()));
        JsonNode req = c.get("request");
        ChatInputs inputs = ChatInputs.fromOpenAi(req.get("messages"), req.get("tools"), null, null,
                c.path("add_generation_prompt").asBoolean(true), false);
        ChatRenderer r = new ChatRenderer(JinjaTemplate.parse(source), RenderLimits.defaults(), CORPUS_DATE);
        return r.render(inputs, c.get("bos_token").asText(), c.get("eos_token").asText());
    }

    @TestFactory
    Stream<DynamicTest> everyCaseRendersAsHuggingFaceDoes() throws IOException {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.get("template").asText() + " / " + c.get("case").asText(), () -> {
            if (c.has("expected")) {
                assertEquals(c.get("expected").asText(), render(c));
            } else {
                TemplateException e = assertThrows(TemplateException.class, () -> render(c));
                assertEquals(c.get("expected_error").asText(), e.kind() + ": " + e.detail());
            }
        }));
    }

    @Test
    void corpusHasEveryTemplateAndCase() throws IOException {
        List<JsonNode> all = cases();
        assertEquals(81, all.size(), "cases in cases.jsonl");
        assertEquals(17, all.stream().map(c -> c.get("template").asText()).distinct().count(), "templates");
    }
}
