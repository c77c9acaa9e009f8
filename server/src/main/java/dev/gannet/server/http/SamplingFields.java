package dev.gannet.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gannet.runtime.sampler.SamplingParams;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Reads the sampling fields shared by completions and chat into the runtime's one {@link SamplingParams} builder.
 * Only JSON types are checked here; every range lives in {@code SamplingParams} itself, whose
 * {@code ParameterException} the failure handler turns into a 400 naming the field.
 */
final class SamplingFields {
    private SamplingFields() {
    }

    /**
     * @param logprobs top-N alternatives per token (-1 = none), parsed by the caller (its field differs by endpoint)
     */
    static SamplingParams.Builder read(ObjectNode body, int logprobs) {
        SamplingParams.Builder b = SamplingParams.builder().logprobs(logprobs);
        Double v;
        if ((v = JsonFields.optNumber(body, "temperature")) != null) b.temperature(v.floatValue());
        if ((v = JsonFields.optNumber(body, "top_p")) != null) b.topP(v.floatValue());
        if ((v = JsonFields.optNumber(body, "min_p")) != null) b.minP(v.floatValue());
        if ((v = JsonFields.optNumber(body, "presence_penalty")) != null) b.presencePenalty(v.floatValue());
        if ((v = JsonFields.optNumber(body, "frequency_penalty")) != null) b.frequencyPenalty(v.floatValue());
        if ((v = JsonFields.optNumber(body, "repetition_penalty")) != null) b.repetitionPenalty(v.floatValue());
        b.topK(JsonFields.optInt(body, "top_k", -1, Integer.MIN_VALUE, Integer.MAX_VALUE));
        b.seed(JsonFields.optLong(body, "seed"));
        b.minTokens(JsonFields.optInt(body, "min_tokens", 0, Integer.MIN_VALUE, Integer.MAX_VALUE));
        b.ignoreEos(JsonFields.optBool(body, "ignore_eos", false));
        b.logitBias(logitBias(body));
        b.stop(stopStrings(body));
        JsonNode stopIds = JsonFields.present(body, "stop_token_ids");
        if (stopIds != null) b.stopTokenIds(JsonFields.integers(stopIds, "stop_token_ids"));
        return b;
    }

    /** {@code stop}: a string or an array of strings; empty strings are dropped (as OpenAI does). */
    private static List<String> stopStrings(ObjectNode body) {
        JsonNode node = JsonFields.present(body, "stop");
        if (node == null) {
            return List.of();
        }
        if (node.isTextual()) {
            return node.textValue().isEmpty() ? List.of() : List.of(node.textValue());
        }
        if (!node.isArray()) {
            throw JsonFields.typeError("stop", "a string or an array of strings", node);
        }
        List<String> out = new ArrayList<>(node.size());
        for (JsonNode item : node) {
            if (!item.isTextual()) {
                throw JsonFields.typeError("stop", "a string or an array of strings", node);
            }
            if (!item.textValue().isEmpty()) {
                out.add(item.textValue());
            }
        }
        return out;
    }

    /** {@code logit_bias}: an object from token id (as a string) to a number. */
    private static Map<Integer, Float> logitBias(ObjectNode body) {
        ObjectNode node = JsonFields.optObject(body, "logit_bias");
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
            if (!e.getValue().isNumber()) {
                throw ApiException.badRequest("logit_bias", "'logit_bias' values must be numbers, got "
                        + e.getValue().getNodeType().toString().toLowerCase() + " for token " + id);
            }
            out.put(id, e.getValue().floatValue());
        }
        return out;
    }
}
