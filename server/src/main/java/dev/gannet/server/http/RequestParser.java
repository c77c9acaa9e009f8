package dev.gannet.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gannet.runtime.sampler.ParameterException;
import dev.gannet.runtime.sampler.SamplingParams;
import dev.gannet.runtime.template.ChatInputException;
import dev.gannet.runtime.template.ChatInputs;
import dev.gannet.server.api.ModelInfo;
import dev.gannet.server.common.Admission;
import dev.gannet.server.common.StructuredOutput;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
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
        return common(body, false, prompts, null, echo, maxTokens == null ? 16 : maxTokens, "max_tokens",
                SamplingFields.read(body, logprobs), model, limits, null);
    }

    static GenerationSpec chat(ObjectNode body, ModelInfo model, Admission limits) {
        ChatInputs inputs = chatInputs(body, true);
        boolean logprobs = JsonFields.optBool(body, "logprobs", false);
        int top = JsonFields.optInt(body, "top_logprobs", 0, 0, Integer.MAX_VALUE);
        if (top > 0 && !logprobs) {
            throw ApiException.badRequest("top_logprobs", "'top_logprobs' requires 'logprobs': true");
        }
        String param = JsonFields.present(body, "max_completion_tokens") != null ? "max_completion_tokens" : "max_tokens";
        Integer maxTokens = maxTokens(body, param);
        return common(body, true, List.of(), inputs, false, maxTokens == null ? SamplingParams.UNLIMITED : maxTokens,
                param, SamplingFields.read(body, logprobs ? top : -1), model, limits, ToolCalling.read(body));
    }

    private static GenerationSpec common(ObjectNode body, boolean chat, List<Object> prompts,
                                         ChatInputs chatInputs, boolean echo, int maxTokens, String maxTokensParam,
                                         SamplingParams.Builder sampling, ModelInfo model, Admission limits,
                                         ToolCalling tools) {
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
        StructuredOutput structured = StructuredOutput.read(body::get);
        return new GenerationSpec(chat, prompts, chatInputs, n, stream, includeUsage, echo, params, maxTokensParam,
                priority, salt == null ? 0 : cacheKey(salt), structured, null, tools);
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

    /**
     * The chat request's template inputs: {@code messages} checked for shape and roles here, then normalised as vLLM
     * does ({@link ChatInputs#fromOpenAi}: text parts joined with newlines, tool calls and tool call ids kept) with
     * {@code tools}, {@code documents}, {@code chat_template_kwargs}, {@code add_generation_prompt} and
     * {@code continue_final_message}. Shared by chat completions and {@code /tokenize} with messages.
     */
    static ChatInputs chatInputs(ObjectNode body, boolean addGenerationPromptDefault) {
        JsonNode node = JsonFields.present(body, "messages");
        if (node == null) {
            throw ApiException.badRequest("messages", "'messages' is required");
        }
        if (!node.isArray() || node.isEmpty()) {
            throw ApiException.badRequest("messages", "'messages' must be a non-empty array of messages");
        }
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
        }
        boolean continueFinal = JsonFields.optBool(body, "continue_final_message", false);
        boolean addGenerationPrompt = JsonFields.optBool(body, "add_generation_prompt", addGenerationPromptDefault && !continueFinal);
        try {
            return ChatInputs.fromOpenAi(node, body.get("tools"), body.get("documents"), body.get("chat_template_kwargs"),
                    addGenerationPrompt, continueFinal);
        } catch (ChatInputException e) {
            throw ApiException.badRequest(e.param(), e.getMessage());
        }
    }
}
