package dev.gannet.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;


/**
 * Typed, range-checked reads of optional request fields. A JSON null counts as absent (as in
 * OpenAI's API). Every failure is a 400 whose {@code param} is the field name.
 */
final class JsonFields {
    private JsonFields() {
    }

    static JsonNode present(ObjectNode body, String field) {
        JsonNode node = body.get(field);
        return node == null || node.isNull() ? null : node;
    }

    static int optInt(ObjectNode body, String field, int dflt, long min, long max) {
        JsonNode node = present(body, field);
        if (node == null) {
            return dflt;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw typeError(field, "an integer", node);
        }
        long value = node.longValue();
        if (value < min || value > max) {
            throw rangeError(field, value, min, max);
        }
        return (int) value;
    }

    static Long optLong(ObjectNode body, String field) {
        JsonNode node = present(body, field);
        if (node == null) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw typeError(field, "an integer", node);
        }
        return node.longValue();
    }

    /** A number, or null when absent; its range is checked by whoever owns the field. */
    static Double optNumber(ObjectNode body, String field) {
        JsonNode node = present(body, field);
        if (node == null) {
            return null;
        }
        if (!node.isNumber()) {
            throw typeError(field, "a number", node);
        }
        return node.doubleValue();
    }

    static boolean optBool(ObjectNode body, String field, boolean dflt) {
        JsonNode node = present(body, field);
        if (node == null) {
            return dflt;
        }
        if (!node.isBoolean()) {
            throw typeError(field, "a boolean", node);
        }
        return node.booleanValue();
    }

    static String optString(ObjectNode body, String field) {
        JsonNode node = present(body, field);
        if (node == null) {
            return null;
        }
        if (!node.isTextual()) {
            throw typeError(field, "a string", node);
        }
        return node.textValue();
    }

    static ObjectNode optObject(ObjectNode body, String field) {
        JsonNode node = present(body, field);
        if (node == null) {
            return null;
        }
        if (!node.isObject()) {
            throw typeError(field, "an object", node);
        }
        return (ObjectNode) node;
    }

    /** An array of integers (token ids whose range the caller checks). */
    static int[] integers(JsonNode node, String field) {
        if (!node.isArray()) {
            throw typeError(field, "an array of token ids", node);
        }
        int[] ids = new int[node.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode item = node.get(i);
            if (!item.isIntegralNumber() || !item.canConvertToInt()) {
                throw typeError(field, "an array of integer token ids", item);
            }
            ids[i] = item.intValue();
        }
        return ids;
    }

    /** An array of token ids in [0, vocabSize). */
    static int[] tokenIds(JsonNode node, String field, int vocabSize) {
        if (!node.isArray()) {
            throw typeError(field, "an array of token ids", node);
        }
        int[] ids = new int[node.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode item = node.get(i);
            if (!item.isIntegralNumber() || !item.canConvertToInt()) {
                throw typeError(field, "an array of integer token ids", item);
            }
            int id = item.intValue();
            if (id < 0 || id >= vocabSize) {
                throw ApiException.badRequest(field, "'" + field + "' token id " + id
                        + " is outside the vocabulary [0, " + vocabSize + ")");
            }
            ids[i] = id;
        }
        return ids;
    }

    static ApiException typeError(String field, String expected, JsonNode got) {
        return ApiException.badRequest(field, "'" + field + "' must be " + expected + ", got "
                + got.getNodeType().toString().toLowerCase());
    }

    static ApiException rangeError(String field, Object value, Object min, Object max) {
        return ApiException.badRequest(field, "'" + field + "' must be in [" + min + ", " + max + "], got " + value);
    }
}
