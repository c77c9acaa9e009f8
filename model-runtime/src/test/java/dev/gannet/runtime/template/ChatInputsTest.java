package dev.gannet.runtime.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The request normalisation vLLM applies before a chat template sees the messages. */
class ChatInputsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }

    private static ChatInputs messages(String messagesJson) throws Exception {
        return ChatInputs.fromOpenAi(json(messagesJson), null, null, null, true, false);
    }

    private static Map<?, ?> message(ChatInputs in, int i) {
        return (Map<?, ?>) in.messages().get(i);
    }

    @Test
    void contentBecomesOneString() throws Exception {
        ChatInputs in = messages("""
                [{"role": "user", "content": [{"type": "text", "text": "Describe this:"}, {"type": "text", "text": null},
                                              {"type": "text", "text": "a red fox"}]},
                 {"role": "assistant", "content": null},
                 {"role": "assistant"},
                 {"role": "user", "content": "plain", "name": "bob", "extra": 1}]""");
        assertEquals("Describe this:\na red fox", message(in, 0).get("content"));
        assertEquals("", message(in, 1).get("content"));
        assertEquals("", message(in, 2).get("content"));
        assertEquals(Map.of("role", "user", "content", "plain", "name", "bob"), message(in, 3), "only what vLLM passes on");
    }

    @Test
    void toolCallArgumentsAreParsedIntoObjects() throws Exception {
        ChatInputs in = messages("""
                [{"role": "assistant", "content": null, "tool_calls": [
                    {"id": "call12345", "type": "function", "function": {"name": "f", "arguments": "{\\"b\\": 1, \\"a\\": [true]}"}},
                    {"id": "c2", "type": "function", "function": {"name": "g", "arguments": "not json"}},
                    {"id": "c3", "type": "function", "function": {"name": "h", "arguments": {"already": "object"}}},
                    {"id": "c4", "type": "function", "function": {"name": "k", "arguments": ""}}]},
                 {"role": "tool", "tool_call_id": "call12345", "name": "f", "content": "22"},
                 {"role": "user", "content": "x", "tool_calls": [], "tool_call_id": "ignored"}]""");
        List<?> calls = (List<?>) message(in, 0).get("tool_calls");
        assertEquals("{'b': 1, 'a': [True]}", Py.repr(((Map<?, ?>) ((Map<?, ?>) calls.get(0)).get("function")).get("arguments")));
        assertEquals(Map.of(), ((Map<?, ?>) ((Map<?, ?>) calls.get(1)).get("function")).get("arguments"), "as the reference: {}");
        assertEquals(Map.of("already", "object"), ((Map<?, ?>) ((Map<?, ?>) calls.get(2)).get("function")).get("arguments"));
        assertEquals(Map.of(), ((Map<?, ?>) ((Map<?, ?>) calls.get(3)).get("function")).get("arguments"));
        assertEquals("call12345", message(in, 1).get("tool_call_id"));
        assertEquals("f", message(in, 1).get("name"));
        assertFalse(message(in, 2).containsKey("tool_calls"));
        assertFalse(message(in, 2).containsKey("tool_call_id"));
    }

    @Test
    void toolsDocumentsAndKwargs() throws Exception {
        ChatInputs none = ChatInputs.fromOpenAi(json("[]"), null, json("null"), null, false, false);
        assertNull(none.tools(), "absent tools are None, as HF passes tools=None");
        assertNull(none.documents());
        assertTrue(none.kwargs().isEmpty());
        ChatInputs in = ChatInputs.fromOpenAi(json("[{\"role\": \"user\", \"content\": \"hi\"}]"),
                json("[{\"type\": \"function\", \"function\": {\"name\": \"f\"}}]"),
                json("[{\"title\": \"t\", \"text\": \"x\"}]"), json("{\"enable_thinking\": false, \"bos_token\": \"<B>\"}"), true, false);
        assertEquals(1, ((List<?>) in.tools()).size());
        assertEquals(1, ((List<?>) in.documents()).size());
        assertEquals(Map.of("enable_thinking", false, "bos_token", "<B>"), in.kwargs());
    }

    @Test
    void badShapesNameTheField() throws Exception {
        assertEquals("messages", assertThrows(ChatInputException.class, () -> messages("{}")).param());
        assertEquals("messages", assertThrows(ChatInputException.class, () -> messages("[1]")).param());
        assertEquals("messages", assertThrows(ChatInputException.class, () -> messages("[{\"content\": \"x\"}]")).param());
        ChatInputException image = assertThrows(ChatInputException.class, () -> messages(
                "[{\"role\": \"user\", \"content\": [{\"type\": \"image_url\", \"image_url\": {\"url\": \"x\"}}]}]"));
        assertTrue(image.getMessage().contains("messages[0].content[0]"), image.getMessage());
        assertEquals("tools", assertThrows(ChatInputException.class,
                () -> ChatInputs.fromOpenAi(json("[]"), json("{}"), null, null, true, false)).param());
        assertEquals("chat_template_kwargs", assertThrows(ChatInputException.class,
                () -> ChatInputs.fromOpenAi(json("[]"), null, null, json("[]"), true, false)).param());
        assertEquals("chat_template_kwargs", assertThrows(ChatInputException.class,
                () -> ChatInputs.fromOpenAi(json("[]"), null, null, json("{\"messages\": []}"), true, false)).param());
        assertEquals("continue_final_message", assertThrows(ChatInputException.class,
                () -> ChatInputs.fromOpenAi(json("[{\"role\": \"assistant\", \"content\": \"x\"}]"), null, null, null, true, true)).param());
    }

    @Test
    void theConstructorTakesOnlyPlainData() {
        assertThrows(IllegalArgumentException.class,
                () -> new ChatInputs(List.of(Map.of("role", "user", "content", new StringBuilder("x"))), null, null, Map.of(), true, false));
        ChatInputs in = new ChatInputs(List.of(Map.of("role", "user", "content", "x")), List.of(), null, Map.of("n", 3), true, false);
        assertEquals(3L, in.kwargs().get("n"), "ints become Python ints (long)");
    }
}
