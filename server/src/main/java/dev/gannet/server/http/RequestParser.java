package dev.gannet.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gannet.runtime.sampler.ParameterException;
import dev.gannet.runtime.sampler.SamplingParams;
import dev.gannet.server.api.ModelInfo;
import dev.gannet.server.common.Admission;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Turns /v1/completions and /v1/chat/completions bodies into {@link GenerationSpec}s, or 400s. */
final class RequestParser {
    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");

    private RequestParser() {
    }

    static GenerationSpec completion(ObjectNode body, ModelInfo model, Admission limits) {
        List<Object> prompts = prompts(body, model.vocabSize(), limits.maxPrompts());
        int logprobs = JsonFields.optInt(body, "logprobs", -1, 0, Integer.MAX_VALUE);
        boolean echo = JsonFields.optBool(body, "echo", false);
        Integer maxTokens = maxTokens(body, "max_tokens");
        // OpenAI's completions default is 16 tokens
        return common(body, false, prompts, List.of(), echo, maxTokens == null ? 16 : maxTokens, "max_tokens", true,
                SamplingFields.read(body, logprobs), model, limits);
    }

    static GenerationSpec chat(ObjectNode body, ModelInfo model, Admission limits) {
        List<Map<String, Object>> messages = messages(body);
        boolean logprobs = JsonFields.optBool(body, "logprobs", false);
        int top = JsonFields.optInt(body, "top_logprobs", 0, 0, Integer.MAX_VALUE);
        if (top > 0 && !logprobs) {
            throw ApiException.badRequest("top_logprobs", "'top_logprobs' requires 'logprobs': true");
        }
        String param = JsonFields.present(body, "max_completion_tokens") != null ? "max_completion_tokens" : "max_tokens";
        Integer maxTokens = maxTokens(body, param);
        boolean addGenerationPrompt = JsonFields.optBool(body, "add_generation_prompt", true);
        return common(body, true, List.of(), messages, false, maxTokens == null ? SamplingParams.UNLIMITED : maxTokens,
                param, addGenerationPrompt, SamplingFields.read(body, logprobs ? top : -1), model, limits);
    }

    private static GenerationSpec common(ObjectNode body, boolean chat, List<Object> prompts,
                                         List<Map<String, Object>> messages, boolean echo, int maxTokens,
                                         String maxTokensParam, boolean addGenerationPrompt,
                                         SamplingParams.Builder sampling, ModelInfo model, Admission limits) {
        int n = JsonFields.optInt(body, "n", 1, 1, limits.maxN());
        UnsupportedFields.check(body, chat, n);
        boolean stream = JsonFields.optBool(body, "stream", false);
        ObjectNode streamOptions = JsonFields.optObject(body, "stream_options");
        boolean includeUsage = false;
        if (streamOptions != null) {
            if (!stream) {
                throw ApiException.badRequest("stream_options", "'stream_options' is only allowed with 'stream': true");
            }
            includeUsage = JsonFields.optBool(streamOptions, "include_usage", false);
        }
        int priority = JsonFields.optInt(body, "priority", 0, Integer.MIN_VALUE, Integer.MAX_VALUE);
        String salt = JsonFields.optString(body, "cache_salt");
        if (salt != null && salt.isEmpty()) {
            throw ApiException.badRequest("cache_salt", "'cache_salt' must not be empty");
        }
        JsonFields.optString(body, "user");  // accepted for OpenAI compatibility, type-checked only
        SamplingParams params;
        try {
            params = sampling.maxTokens(maxTokens).build().checkVocabulary(model.vocabSize());
        } catch (ParameterException e) {
            throw renamed(e, "max_tokens", maxTokensParam, chat ? "top_logprobs" : "logprobs");
        }
        return new GenerationSpec(chat, prompts, messages, n, stream, includeUsage, echo, params, maxTokensParam,
                addGenerationPrompt, priority, salt == null ? 0 : cacheKey(salt));
    }

    /**
     * The record names fields as completions spell them; chat may have sent the limit as max_completion_tokens and
     * the logprob count as top_logprobs: name the field the client sent.
     */
    private static RuntimeException renamed(ParameterException e, String maxTokens, String maxTokensParam, String logprobsParam) {
        String message = e.getMessage().replace("'" + maxTokens + "'", "'" + maxTokensParam + "'")
                .replace("'logprobs'", "'" + logprobsParam + "'");
        String param = e.param().equals(maxTokens) ? maxTokensParam : e.param().equals("logprobs") ? logprobsParam : e.param();
        return ApiException.badRequest(param, message);
    }

    /** A non-zero 64-bit key from the salt's SHA-256 (0 is the shared namespace). */
    static long cacheKey(String salt) {
        byte[] d;
        try {
            d = MessageDigest.getInstance("SHA-256").digest(salt.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
        long k = 0;
        for (int i = 0; i < 8; i++) k = (k << 8) | (d[i] & 0xff);
        return k == 0 ? 1 : k;
    }

    private static Integer maxTokens(ObjectNode body, String field) {
        if (JsonFields.present(body, field) == null) {
            return null;
        }
        return JsonFields.optInt(body, field, 0, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    /** {@code prompt}: a string, a token-id array, or a non-empty list of either. */
    private static List<Object> prompts(ObjectNode body, int vocabSize, int maxPrompts) {
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
        if (node.size() > maxPrompts) {
            throw ApiException.badRequest("prompt", "at most " + maxPrompts + " prompts per request (max_prompts), got " + node.size());
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
        // text parts are joined with a newline, as vLLM and llama.cpp do
        StringBuilder text = new StringBuilder();
        boolean first = true;
        for (JsonNode part : content) {
            JsonNode type = part.get("type");
            JsonNode partText = part.get("text");
            if (type == null || !"text".equals(type.asText()) || partText == null || !partText.isTextual()) {
                throw ApiException.badRequest("messages", "'" + where
                        + ".content' parts must be {\"type\":\"text\",\"text\":...}: this model takes text only");
            }
            if (!first) {
                text.append('\n');
            }
            first = false;
            text.append(partText.textValue());
        }
        return text.toString();
    }
}
