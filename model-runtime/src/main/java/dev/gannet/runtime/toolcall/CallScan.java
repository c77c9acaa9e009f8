package dev.gannet.runtime.toolcall;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;

/**
 * What is known so far of one call object, {@code {"name": "f", "arguments": {...}}} (Llama 3 spells the second key
 * {@code parameters}), in text that may still grow: the function's name once its string is closed, and the span of
 * the arguments' raw text, which only ever grows, so a stream can send it in fragments as it arrives.
 *
 * @param end        the object's end (exclusive) when it is closed, else {@link JsonScan#INCOMPLETE} or
 *                   {@link JsonScan#INVALID}
 * @param name       the function name, or null while unknown
 * @param argsStart  start of the arguments' raw text, or -1 while the key has not been read
 * @param argsEnd    end of the arguments' raw text read so far (the text's end while the value is open)
 */
record CallScan(int end, String name, int argsStart, int argsEnd) {
    private static final ObjectReader STRICT = new ObjectMapper().reader()
            .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION);

    boolean complete() {
        return end >= 0;
    }

    boolean invalid() {
        return end == JsonScan.INVALID;
    }

    /** Scans the object whose '{' is at {@code start}. */
    static CallScan scan(CharSequence s, int start) {
        if (start >= s.length() || s.charAt(start) != '{') return new CallScan(JsonScan.INVALID, null, -1, -1);
        String name = null;
        int argsStart = -1;
        int argsEnd = -1;
        int i = JsonScan.skipWhitespace(s, start + 1);
        if (i < s.length() && s.charAt(i) == '}') return new CallScan(i + 1, null, -1, -1);
        while (true) {
            i = JsonScan.skipWhitespace(s, i);
            int keyEnd = JsonScan.string(s, i);
            if (keyEnd < 0) return new CallScan(keyEnd, name, argsStart, argsEnd);
            String key = decodeString(s, i, keyEnd);
            i = JsonScan.skipWhitespace(s, keyEnd);
            if (i >= s.length()) return new CallScan(JsonScan.INCOMPLETE, name, argsStart, argsEnd);
            if (s.charAt(i) != ':') return new CallScan(JsonScan.INVALID, name, argsStart, argsEnd);
            int valueStart = JsonScan.skipWhitespace(s, i + 1);
            int valueEnd = JsonScan.value(s, valueStart, 1);
            boolean isArgs = key != null && (key.equals("arguments") || key.equals("parameters"));
            if (isArgs && argsStart < 0 && valueStart < s.length()) {
                argsStart = valueStart;
                argsEnd = valueEnd >= 0 ? valueEnd : s.length();
            }
            if (valueEnd < 0) return new CallScan(valueEnd, name, argsStart, argsEnd);
            if ("name".equals(key) && name == null && s.charAt(valueStart) == '"') {
                name = decodeString(s, valueStart, valueEnd);
            }
            i = JsonScan.skipWhitespace(s, valueEnd);
            if (i >= s.length()) return new CallScan(JsonScan.INCOMPLETE, name, argsStart, argsEnd);
            char c = s.charAt(i);
            if (c == '}') return new CallScan(i + 1, name, argsStart, argsEnd);
            if (c != ',') return new CallScan(JsonScan.INVALID, name, argsStart, argsEnd);
            i++;
        }
    }

    /**
     * Whether the closed object is a call: a JSON object without duplicate keys whose {@code name} is a non-empty
     * string and whose arguments, when present, are an object.
     */
    static boolean isValidCall(CharSequence s, CallScan scan, int start) {
        if (!scan.complete() || scan.name() == null || scan.name().isEmpty()) return false;
        JsonNode node;
        try {
            node = STRICT.readTree(s.subSequence(start, scan.end()).toString());
        } catch (JsonProcessingException e) {
            return false;
        }
        if (!node.isObject() || !node.path("name").isTextual()) return false;
        boolean hasArgs = node.has("arguments");
        boolean hasParams = node.has("parameters");
        if (hasArgs && hasParams) return false;
        JsonNode args = hasArgs ? node.get("arguments") : node.get("parameters");
        return args == null || args.isObject();
    }

    /** A closed JSON string's value; null when it is not one. */
    private static String decodeString(CharSequence s, int start, int end) {
        try {
            JsonNode n = STRICT.readTree(s.subSequence(start, end).toString());
            return n != null && n.isTextual() ? n.textValue() : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
