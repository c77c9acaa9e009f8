package dev.gannet.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * Request fields that OpenAI or vLLM define and Gannet does not honour yet. Each is a 400 naming the field, never
 * silently ignored: a client that asks for JSON or prompt logprobs must not get plain output as if it had
 * them. A value that asks for nothing (an empty {@code tools} list, {@code tool_choice: "none"}) is accepted.
 * Unknown fields are ignored, as vLLM does. Structured output ({@code response_format}, {@code structured_outputs},
 * {@code guided_*}) is read by {@code common.StructuredOutput}, chat tools by {@link ToolCalling}.
 */
final class UnsupportedFields {
    /** Fields whose mere presence asks for something not built yet. */
    private static final List<String> NOT_BUILT = List.of("functions", "function_call", "prompt_logprobs", "prediction",
            "audio", "truncate_prompt_tokens", "chat_template", "use_beam_search");

    private UnsupportedFields() {
    }

    static void check(ObjectNode body, boolean chat, int n) {
        for (String field : NOT_BUILT) {
            if (JsonFields.present(body, field) != null && !asksNothing(body.get(field))) {
                throw notSupported(field, "'" + field + "' is not supported by this server yet");
            }
        }
        tools(body, chat);
        JsonNode modalities = JsonFields.present(body, "modalities");
        if (modalities != null && !(modalities.isArray() && modalities.size() == 1 && "text".equals(modalities.get(0).asText()))) {
            throw notSupported("modalities", "'modalities' other than [\"text\"] are not supported: this server outputs text only");
        }
        if (JsonFields.optBool(body, "include_stop_str_in_output", false)) {
            throw notSupported("include_stop_str_in_output", "'include_stop_str_in_output' is not supported yet");
        }
        if (!JsonFields.optBool(body, "skip_special_tokens", true)) {
            throw notSupported("skip_special_tokens", "'skip_special_tokens': false is not supported yet");
        }
        if (!chat) {
            String suffix = JsonFields.optString(body, "suffix");
            if (suffix != null && !suffix.isEmpty()) {
                throw notSupported("suffix", "'suffix' (insertion) is not supported by this server");
            }
            int bestOf = JsonFields.optInt(body, "best_of", n, 1, Integer.MAX_VALUE);
            if (bestOf < n) {
                throw ApiException.badRequest("best_of", "'best_of' (" + bestOf + ") must be >= 'n' (" + n + ")");
            }
            if (bestOf > n) {
                throw notSupported("best_of", "'best_of' greater than 'n' is not supported yet");
            }
            if (JsonFields.present(body, "logprobs") != null && JsonFields.optBool(body, "echo", false)) {
                throw notSupported("logprobs", "'logprobs' together with 'echo' (prompt logprobs) is not supported yet");
            }
        }
    }

    private static boolean asksNothing(JsonNode v) {
        return (v.isBoolean() && !v.booleanValue()) || ((v.isArray() || v.isObject()) && v.isEmpty());
    }

    /** Chat reads tools itself ({@link ToolCalling#read}); text completions have none. */
    private static void tools(ObjectNode body, boolean chat) {
        if (chat) {
            return;
        }
        JsonNode tools = JsonFields.present(body, "tools");
        if (tools != null && !asksNothing(tools)) {
            throw notSupported("tools", "'tools' belongs to /v1/chat/completions; text completions have no tools");
        }
        JsonNode choice = JsonFields.present(body, "tool_choice");
        if (choice != null && !(choice.isTextual() && (choice.textValue().equals("none") || choice.textValue().equals("auto")))) {
            throw notSupported("tool_choice", "'tool_choice' belongs to /v1/chat/completions; text completions have no tools");
        }
        JsonFields.optBool(body, "parallel_tool_calls", true);
    }

    private static ApiException notSupported(String field, String message) {
        return ApiException.badRequest(field, message);
    }
}
