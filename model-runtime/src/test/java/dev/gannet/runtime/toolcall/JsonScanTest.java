package dev.gannet.runtime.toolcall;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class JsonScanTest {
    private static int end(String s) {
        return JsonScan.value(s, 0, 0);
    }

    @Test
    void closedValuesEndWhereTheyEnd() {
        assertEquals(2, end("{}"));
        assertEquals(13, end("{\"a\": [1, 2]} tail"));
        assertEquals(4, end("true,"));
        assertEquals(6, end("\"a\\\"b\"x"));
        assertEquals(12, end("\"\\u00e9\\n\\/\" "));
        assertEquals(6, end("-1.5e3 "));
        assertEquals(1, end("0]"));
    }

    @Test
    void textEndingInsideAValueIsIncomplete() {
        for (String s : new String[] {"", "{", "{\"a\"", "{\"a\":", "{\"a\": 1", "[1, 2", "\"abc", "\"a\\", "\"\\u00",
            "tr", "-", "1.", "1e", "1e+", "12", "{\"a\": {\"b\": [tru"}) {
            assertEquals(JsonScan.INCOMPLETE, end(s), s);
        }
    }

    @Test
    void notJsonIsInvalid() {
        for (String s : new String[] {"x", "{a: 1}", "{\"a\" 1}", "[1 2]", "01", "1.x", "\"\\x\"", "\"a\nb\"", "tx",
            "{\"a\": 1,}", "\"\\u12g4\"", "-a"}) {
            assertEquals(JsonScan.INVALID, end(s), s);
        }
    }

    @Test
    void nestingBeyondTheLimitIsInvalid() {
        String deep = "[".repeat(JsonScan.MAX_DEPTH + 1) + "]".repeat(JsonScan.MAX_DEPTH + 1);
        assertEquals(JsonScan.INVALID, end(deep));
        String ok = "[".repeat(JsonScan.MAX_DEPTH) + "]".repeat(JsonScan.MAX_DEPTH);
        assertEquals(ok.length(), end(ok));
    }
}
