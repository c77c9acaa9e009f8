package dev.gannet.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

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

    static double optDouble(ObjectNode body, String field, double dflt, double min, double max) {
        JsonNode node = present(body, field);
        if (node == null) {
            return dflt;
        }
        if (!node.isNumber()) {
            throw typeError(field, "a number", node);
        }
        double value = node.doubleValue();
        if (!(value >= min && value <= max)) {
            throw rangeError(field, value, min, max);
        }
        return value;
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

    /** {@code stop}: a string or an array of at most 16 non-empty strings. */
    static List<String> stopStrings(ObjectNode body) {
        JsonNode node = present(body, "stop");
        if (node == null) {
            return List.of();
        }
        if (node.isTextual()) {
            return node.textValue().isEmpty() ? List.of() : List.of(node.textValue());
        }
        if (!node.isArray()) {
            throw typeError("stop", "a string or an array of strings", node);
        }
        if (node.size() > 16) {
            throw ApiException.badRequest("stop", "'stop' may hold at most 16 strings, got " + node.size());
        }
        List<String> out = new ArrayList<>(node.size());
        for (JsonNode item : node) {
            if (!item.isTextual()) {
                throw typeError("stop", "a string or an array of strings", node);
            }
            if (!item.textValue().isEmpty()) {
                out.add(item.textValue());
            }
        }
        return out;
    }

    /** {@code logit_bias}: an object from token id (as a string) to a bias in [-100, 100]. */
    static Map<Integer, Float> logitBias(ObjectNode body, int vocabSize) {
        ObjectNode node = optObject(body, "logit_bias");
        if (node == null) {
            return Map.of();
        }
        Map<Integer, Float> out = new HashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            int id;
            try {
                id = Integer.parseInt(e.getKey());
            } catch (NumberFormatException ex) {
                throw ApiException.badRequest("logit_bias", "'logit_bias' keys must be token ids, got '"
                        + e.getKey() + "'");
            }
            if (id < 0 || id >= vocabSize) {
                throw ApiException.badRequest("logit_bias", "'logit_bias' token id " + id
                        + " is outside the vocabulary [0, " + vocabSize + ")");
            }
            JsonNode v = e.getValue();
            if (!v.isNumber() || v.doubleValue() < -100 || v.doubleValue() > 100) {
                throw ApiException.badRequest("logit_bias", "'logit_bias' values must be numbers in [-100, 100], got "
                        + v + " for token " + id);
            }
            out.put(id, v.floatValue());
        }
        return out;
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
