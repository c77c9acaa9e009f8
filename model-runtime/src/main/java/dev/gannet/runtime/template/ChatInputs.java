package dev.gannet.runtime.template;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a chat template is rendered from, normalised as vLLM normalises an OpenAI chat request before
 * {@code apply_chat_template}: each message's text parts joined with {@code "\n"}, null content as
 * {@code ""}, an assistant's tool-call {@code arguments} parsed from their JSON string into an object,
 * {@code name} and a tool message's {@code tool_call_id} kept; {@code tools} and {@code documents} as given
 * (absent is None); {@code chat_template_kwargs} become extra template variables.
 *
 * <p>The constructor takes plain data (String, Boolean, Number, null, List, Map with string keys) and copies
 * it; anything else is refused, so no Java object reaches a template.
 *
 * @param messages             normalised messages, each a map with at least {@code role} and {@code content}
 * @param tools                the request's tools, or null (None)
 * @param documents            the request's documents, or null (None)
 * @param kwargs               extra template variables, e.g. {@code enable_thinking}
 * @param addGenerationPrompt  end with the assistant turn's header
 * @param continueFinalMessage leave the final (assistant) message open so the model continues it
 */
public record ChatInputs(List<Object> messages, Object tools, Object documents, Map<String, Object> kwargs,
                         boolean addGenerationPrompt, boolean continueFinalMessage) {
    /** Template variables a request's chat_template_kwargs may not replace. */
    static final Set<String> RESERVED = Set.of("messages", "tools", "documents", "add_generation_prompt",
            "continue_final_message");
    private static final ObjectMapper JSON = JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

    public ChatInputs {
        @SuppressWarnings("unchecked")
        List<Object> copied = (List<Object>) JinjaTemplate.value(Objects.requireNonNull(messages, "messages"));
        messages = Collections.unmodifiableList(copied);
        tools = JinjaTemplate.value(tools);
        documents = JinjaTemplate.value(documents);
        Map<String, Object> kw = new LinkedHashMap<>();
        Objects.requireNonNull(kwargs, "kwargs").forEach((k, v) -> kw.put(k, JinjaTemplate.value(v)));
        kwargs = Collections.unmodifiableMap(kw);
        for (String k : kwargs.keySet()) {
            if (RESERVED.contains(k)) {
                throw new ChatInputException("chat_template_kwargs", "chat_template_kwargs cannot set '" + k
                        + "': it is a request field of its own");
            }
        }
        if (continueFinalMessage && addGenerationPrompt) {
            throw new ChatInputException("continue_final_message", "continue_final_message and add_generation_prompt "
                    + "cannot both be true: the first continues the final message, the second starts a new one");
        }
        if (continueFinalMessage && messages.isEmpty()) {
            throw new ChatInputException("continue_final_message", "continue_final_message needs a final message");
        }
    }

    /**
     * Normalises an OpenAI chat request's parts. Any of {@code tools}, {@code documents} and
     * {@code chatTemplateKwargs} may be null or JSON null.
     *
     * @throws ChatInputException naming the field when a part has the wrong shape
     */
    public static ChatInputs fromOpenAi(JsonNode messages, JsonNode tools, JsonNode documents, JsonNode chatTemplateKwargs,
                                        boolean addGenerationPrompt, boolean continueFinalMessage) {
        if (messages == null || !messages.isArray()) throw new ChatInputException("messages", "'messages' must be an array of messages");
        List<Object> out = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) out.add(message(messages.get(i), "messages[" + i + "]"));
        Map<String, Object> kwargs = new LinkedHashMap<>();
        if (absent(chatTemplateKwargs)) {
            // no extra variables
        } else if (chatTemplateKwargs.isObject()) {
            chatTemplateKwargs.properties().forEach(e -> kwargs.put(e.getKey(), PyJson.fromJson(e.getValue())));
        } else {
            throw new ChatInputException("chat_template_kwargs", "'chat_template_kwargs' must be an object");
        }
        return new ChatInputs(out, list(tools, "tools"), list(documents, "documents"), kwargs, addGenerationPrompt,
                continueFinalMessage);
    }

    private static boolean absent(JsonNode n) {
        return n == null || n.isNull() || n.isMissingNode();
    }

    private static Object list(JsonNode n, String field) {
        if (absent(n)) return null;
        if (!n.isArray()) throw new ChatInputException(field, "'" + field + "' must be an array");
        return PyJson.fromJson(n);
    }

    private static Map<Object, Object> message(JsonNode m, String where) {
        if (m == null || !m.isObject()) throw new ChatInputException("messages", "'" + where + "' must be an object");
        JsonNode role = m.get("role");
        if (role == null || !role.isTextual()) throw new ChatInputException("messages", "'" + where + ".role' must be a string");
        Map<Object, Object> msg = new LinkedHashMap<>();
        msg.put("role", role.textValue());
        msg.put("content", content(m.get("content"), where));
        JsonNode calls = m.get("tool_calls");
        if (role.textValue().equals("assistant") && !absent(calls)) msg.put("tool_calls", toolCalls(calls, where));
        if (role.textValue().equals("tool") && m.has("tool_call_id")) msg.put("tool_call_id", PyJson.fromJson(m.get("tool_call_id")));
        JsonNode name = m.get("name");
        if (name != null && name.isTextual()) msg.put("name", name.textValue());
        return msg;
    }

    /** Text parts joined with "\n", as vLLM gives a template that takes content as a string. */
    private static String content(JsonNode c, String where) {
        if (absent(c)) return "";
        if (c.isTextual()) return c.textValue();
        if (!c.isArray()) throw new ChatInputException("messages", "'" + where + ".content' must be a string or an array of parts");
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < c.size(); i++) {
            JsonNode part = c.get(i);
            String type = part.path("type").asText("");
            if (!part.isObject() || !type.equals("text")) {
                throw new ChatInputException("messages", "'" + where + ".content[" + i + "]' is not a text part "
                        + "({\"type\": \"text\", \"text\": ...}): only text can be put into this prompt");
            }
            JsonNode text = part.get("text");
            if (text != null && text.isTextual()) texts.add(text.textValue());
        }
        return String.join("\n", texts);
    }

    private static List<Object> toolCalls(JsonNode calls, String where) {
        if (!calls.isArray()) throw new ChatInputException("messages", "'" + where + ".tool_calls' must be an array");
        List<Object> out = new ArrayList<>(calls.size());
        for (int i = 0; i < calls.size(); i++) {
            JsonNode call = calls.get(i);
            if (!call.isObject() || !call.path("function").isObject()) {
                throw new ChatInputException("messages", "'" + where + ".tool_calls[" + i + "]' must be an object with a 'function' object");
            }
            @SuppressWarnings("unchecked")
            Map<Object, Object> c = (Map<Object, Object>) PyJson.fromJson(call);
            @SuppressWarnings("unchecked")
            Map<Object, Object> fn = (Map<Object, Object>) c.get("function");
            JsonNode args = call.get("function").get("arguments");
            if (args != null && args.isTextual()) fn.put("arguments", arguments(args.textValue()));
            out.add(c);
        }
        return out;
    }

    /** Tool-call arguments parsed from their JSON string; text that is not JSON becomes {} as the reference does. */
    private static Object arguments(String json) {
        try {
            JsonNode parsed = JSON.readTree(json);
            return parsed == null || parsed.isMissingNode() ? new LinkedHashMap<>() : PyJson.fromJson(parsed);
        } catch (JsonProcessingException e) {
            return new LinkedHashMap<>();
        }
    }
}
