package dev.gannet.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/** {@code --extra-body}: a JSON object merged into every request body, its fields winning. */
class ExtraBodyTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode body(String extra) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        ServerApi api = new ServerApi(http, JSON, "http://127.0.0.1:9", null, Duration.ofSeconds(1));
        StreamingClient c = new StreamingClient(http, api, Endpoint.COMPLETIONS, "m", true, Duration.ofSeconds(1), null,
                new LongAdder(), extra);
        return JSON.readTree(c.body(new PlannedRequest(0, 0, "hi", null, 1, 8)));
    }

    @Test
    void mergedIntoEveryBody() throws Exception {
        JsonNode b = body("{\"response_format\":{\"type\":\"json_object\"},\"ignore_eos\":false}");
        assertEquals("json_object", b.get("response_format").get("type").asText());
        assertEquals(false, b.get("ignore_eos").asBoolean(), "the extra body's fields win");
        assertEquals(8, b.get("max_tokens").asInt());
        assertEquals("hi", b.get("prompt").asText());
        assertEquals(null, body(null).get("response_format"));
    }

    @Test
    void onlyAJsonObjectIsAccepted() {
        assertThrows(IllegalArgumentException.class, () -> body("[1]"));
        LoadtestCommand cmd = new LoadtestCommand();
        new picocli.CommandLine(cmd).parseArgs("--url", "http://127.0.0.1:1", "--extra-body", "{nope");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, cmd::config);
        assertTrue(e.getMessage().contains("--extra-body"), e.getMessage());
    }
}
