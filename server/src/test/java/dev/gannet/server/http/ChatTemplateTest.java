package dev.gannet.server.http;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChatTemplateTest {
    static final List<Map<String, Object>> MESSAGES = List.of(
            Map.of("role", "system", "content", "You are terse."),
            Map.of("role", "user", "content", "Hi"));

    @Test
    void rendersTheQwen2ChatMlTemplateFromTheSharedModel() throws Exception {
        Path config = Path.of(System.getProperty("gannet.models.dir"), "tiny-qwen2-hf-bf16", "tokenizer_config.json");
        String template = ServerHarness.JSON.readTree(Files.readString(config)).get("chat_template").asText();
        String out = new ChatTemplate(template).render(MESSAGES, true, "", "<|endoftext|>");
        assertEquals("<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
                + "<|im_start|>assistant\n", out);
        String noPrompt = new ChatTemplate(template).render(MESSAGES, false, "", "");
        assertTrue(noPrompt.endsWith("Hi<|im_end|>\n"));
    }

    @Test
    void llamaStyleTemplateWithLoopVariablesTrimBlocksAndBos() {
        String template = """
                {{ bos_token }}
                {% for message in messages %}
                    {% if (message['role'] == 'user') != (loop.index0 % 2 == 1) %}
                        {{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}
                    {% endif %}
                    {{ '[' + message['role'] + '] ' + message['content'].strip() + eos_token }}
                {% endfor %}
                """;
        ChatTemplate t = new ChatTemplate(template);
        List<Map<String, Object>> ok = List.of(Map.of("role", "system", "content", " s "),
                Map.of("role", "user", "content", "u"));
        assertEquals("<s>[system] s</s>[user] u</s>", t.render(ok, true, "<s>", "</s>").replace("\n", "").strip()
                .replaceAll(">\\s+", ">").replaceAll("\\s+\\[", "["));
        ApiException e = assertThrows(ApiException.class,
                () -> t.render(List.of(Map.of("role", "user", "content", "u")), true, "<s>", "</s>"));
        assertEquals(400, e.status());
        assertEquals("messages", e.param());
        assertTrue(e.getMessage().contains("must alternate"), e.getMessage());
    }

    @Test
    void blankTemplateAndUnreadableFileAreClearErrors() {
        assertThrows(IllegalArgumentException.class, () -> new ChatTemplate(" "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ChatTemplate.readFile(Path.of("/nonexistent/template.jinja")));
        assertTrue(e.getMessage().contains("/nonexistent/template.jinja"));
    }
}
