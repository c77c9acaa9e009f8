package dev.gannet.router.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestFactsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode body(String s) throws Exception {
        return JSON.readTree(s);
    }

    @Test
    void completionPromptGivesThePrefixAndTheSizeEstimate() throws Exception {
        RequestFacts f = RequestFacts.of(body("{\"prompt\":\"" + "a".repeat(400) + "\",\"max_tokens\":50,\"stream\":true}"), null, 16);
        assertEquals("a".repeat(16), f.prefix());
        assertEquals(100 + 50, f.tokens());
        assertTrue(f.stream());
        assertNull(f.session());
    }

    @Test
    void chatMessagesAreRenderedWithRolesSoTheSystemPromptLeads() throws Exception {
        String b = "{\"messages\":[{\"role\":\"system\",\"content\":\"You are terse.\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Hi\"}]}],\"user\":\"u-7\"}";
        RequestFacts f = RequestFacts.of(body(b), null, 1000);
        assertEquals("system\nYou are terse.\nuser\nHi\n", f.prefix());
        assertEquals("u-7", f.session());
        assertEquals(16 / 4 + 256, f.tokens());
        assertFalse(f.stream());
        assertEquals("header-session", RequestFacts.of(body(b), "header-session", 10).session(), "the header wins");
    }

    @Test
    void promptListsAndTokenIdsWork() throws Exception {
        assertEquals("first", RequestFacts.of(body("{\"prompt\":[\"first\",\"second\"]}"), null, 64).prefix());
        assertEquals("1,403,4", RequestFacts.of(body("{\"prompt\":[1,403,407]}"), null, 7).prefix());
        assertEquals("", RequestFacts.of(body("{\"max_completion_tokens\":3}"), null, 7).prefix());
        assertEquals(3, RequestFacts.of(body("{\"max_completion_tokens\":3}"), null, 7).tokens());
    }
}
