package dev.gannet.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gannet.server.api.ModelInfo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Turns /v1/completions and /v1/chat/completions bodies into {@link GenerationSpec}s, or 400s. */
final class RequestParser {
    static final int MAX_N = 64;
    static final int MAX_PROMPTS = 64;
    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");

    private RequestParser() {
    }

    static GenerationSpec completion(ObjectNode body, ModelInfo model) {
        List<Object> prompts = prompts(body, model.vocabSize());
        int logprobs = JsonFields.optInt(body, "logprobs", -1, 0, 20);
        SamplingDraft sampling = SamplingDraft.parse(body, model.vocabSize(), logprobs);
        boolean echo = JsonFields.optBool(body, "echo", false);
        Integer maxTokens = maxTokens(body, "max_tokens");
        // OpenAI's completions default is 16 tokens
        return common(body, false, prompts, List.of(), echo, maxTokens == null ? 16 : maxTokens, "max_tokens",
                true, sampling);
    }

    static GenerationSpec chat(ObjectNode body, ModelInfo model) {
        List<Map<String, Object>> messages = messages(body);
        boolean logprobs = JsonFields.optBool(body, "logprobs", false);
        int top = JsonFields.optInt(body, "top_logprobs", 0, 0, 20);
        if (top > 0 && !logprobs) {
            throw ApiException.badRequest("top_logprobs", "'top_logprobs' requires 'logprobs': true");
        }
        SamplingDraft sampling = SamplingDraft.parse(body, model.vocabSize(), logprobs ? top : -1);
        String param = JsonFields.present(body, "max_completion_tokens") != null ? "max_completion_tokens" : "max_tokens";
        Integer maxTokens = maxTokens(body, param);
        boolean addGenerationPrompt = JsonFields.optBool(body, "add_generation_prompt", true);
        return common(body, true, List.of(), messages, false, maxTokens, param, addGenerationPrompt, sampling);
    }

    private static GenerationSpec common(ObjectNode body, boolean chat, List<Object> prompts,
                                         List<Map<String, Object>> messages, boolean echo, Integer maxTokens,
                                         String maxTokensParam, boolean addGenerationPrompt, SamplingDraft sampling) {
        int n = JsonFields.optInt(body, "n", 1, 1, MAX_N);
        boolean stream = JsonFields.optBool(body, "stream", false);
        ObjectNode streamOptions = JsonFields.optObject(body, "stream_options");
        boolean includeUsage = false;
        if (streamOptions != null) {
            if (!stream) {
                throw ApiException.badRequest("stream_options", "'stream_options' is only allowed with 'stream': true");
            }
            includeUsage = JsonFields.optBool(streamOptions, "include_usage", false);
        }
        if (sampling.minTokens() > 0 && maxTokens != null && sampling.minTokens() > maxTokens) {
            throw ApiException.badRequest("min_tokens", "'min_tokens' must not exceed '" + maxTokensParam + "'");
        }
        return new GenerationSpec(chat, prompts, messages, n, stream, includeUsage, echo, maxTokens, maxTokensParam,
                addGenerationPrompt, sampling);
    }

    private static Integer maxTokens(ObjectNode body, String field) {
        if (JsonFields.present(body, field) == null) {
            return null;
        }
        return JsonFields.optInt(body, field, 0, 1, Integer.MAX_VALUE);
    }

    /** {@code prompt}: a string, a token-id array, or a non-empty list of either. */
    private static List<Object> prompts(ObjectNode body, int vocabSize) {
        JsonNode node = JsonFields.present(body, "prompt");
        if (node == null) {
            throw ApiException.badRequest("prompt", "'prompt' is required");
        }
        if (node.isTextual()) {
            return List.of(node.textValue());
        }
        String expected = "a string, an array of token ids, or an array of either";
        if (!node.isArray() || node.isEmpty()) {
            throw JsonFields.typeError("prompt", expected, node);
        }
        if (node.get(0).isNumber()) {
            return List.of(JsonFields.tokenIds(node, "prompt", vocabSize));
        }
        if (node.size() > MAX_PROMPTS) {
            throw ApiException.badRequest("prompt", "at most " + MAX_PROMPTS + " prompts per request, got " + node.size());
        }
        List<Object> out = new ArrayList<>(node.size());
        for (JsonNode item : node) {
            if (item.isTextual()) {
                out.add(item.textValue());
            } else if (item.isArray() && !item.isEmpty()) {
                out.add(JsonFields.tokenIds(item, "prompt", vocabSize));
            } else {
                throw JsonFields.typeError("prompt", expected, item);
            }
        }
        return out;
    }

    /** {@code messages}: role + content (a string or text parts) per message, for the template. */
    private static List<Map<String, Object>> messages(ObjectNode body) {
        JsonNode node = JsonFields.present(body, "messages");
        if (node == null) {
            throw ApiException.badRequest("messages", "'messages' is required");
        }
        if (!node.isArray() || node.isEmpty()) {
            throw ApiException.badRequest("messages", "'messages' must be a non-empty array of messages");
        }
        List<Map<String, Object>> out = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            JsonNode m = node.get(i);
            String where = "messages[" + i + "]";
            if (!m.isObject()) {
                throw ApiException.badRequest("messages", "'" + where + "' must be an object");
            }
            JsonNode role = m.get("role");
            if (role == null || !role.isTextual() || !ROLES.contains(role.textValue())) {
                throw ApiException.badRequest("messages", "'" + where + ".role' must be one of " + ROLES);
            }
            Map<String, Object> msg = new LinkedHashMap<>();
            msg.put("role", role.textValue());
            msg.put("content", content(m.get("content"), where));
            JsonNode name = m.get("name");
            if (name != null && name.isTextual()) {
                msg.put("name", name.textValue());
            }
            out.add(msg);
        }
        return out;
    }

    private static String content(JsonNode content, String where) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.textValue();
        }
        if (!content.isArray()) {
            throw ApiException.badRequest("messages", "'" + where + ".content' must be a string or an array of parts");
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode part : content) {
            JsonNode type = part.get("type");
            JsonNode partText = part.get("text");
            if (type == null || !"text".equals(type.asText()) || partText == null || !partText.isTextual()) {
                throw ApiException.badRequest("messages", "'" + where
                        + ".content' parts must be {\"type\":\"text\",\"text\":...}: this model takes text only");
            }
            text.append(partText.textValue());
        }
        return text.toString();
    }
}
