package dev.gannet.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gannet.runtime.sampler.TokenLogprobs;
import dev.gannet.server.api.ServingBackend;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** Builders for OpenAI's response, chunk, logprobs, usage and error JSON shapes. */
final class OpenAiJson {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private OpenAiJson() {
    }

    /** The envelope shared by responses and chunks: id, object, created, model, choices. */
    static ObjectNode envelope(String id, String object, long created, String model) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("id", id);
        root.put("object", object);
        root.put("created", created);
        root.put("model", model);
        root.putArray("choices");
        return root;
    }

    static ObjectNode usage(int prompt, int completion) {
        ObjectNode usage = MAPPER.createObjectNode();
        usage.put("prompt_tokens", prompt);
        usage.put("completion_tokens", completion);
        usage.put("total_tokens", prompt + completion);
        return usage;
    }

    /** A text-completion choice (also used for chunks): index, text, logprobs, finish_reason. */
    static ObjectNode textChoice(int index, String text, ObjectNode logprobs, String finishReason) {
        ObjectNode choice = MAPPER.createObjectNode();
        choice.put("index", index);
        choice.put("text", text);
        choice.set("logprobs", logprobs);
        choice.put("finish_reason", finishReason);
        return choice;
    }

    /** A chat choice: {@code message} for full responses. */
    static ObjectNode chatChoice(int index, String content, ObjectNode logprobs, String finishReason) {
        ObjectNode choice = MAPPER.createObjectNode();
        choice.put("index", index);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        message.put("content", content);
        choice.set("logprobs", logprobs);
        choice.put("finish_reason", finishReason);
        return choice;
    }

    /** A chat choice whose message was built elsewhere (tool calls: content and tool_calls). */
    static ObjectNode chatChoice(int index, ObjectNode message, ObjectNode logprobs, String finishReason) {
        ObjectNode choice = MAPPER.createObjectNode();
        choice.put("index", index);
        choice.set("message", message);
        choice.set("logprobs", logprobs);
        choice.put("finish_reason", finishReason);
        return choice;
    }

    /** A chat chunk choice around a {@code delta} built elsewhere (tool-call deltas). */
    static ObjectNode chatDelta(int index, ObjectNode delta, ObjectNode logprobs) {
        ObjectNode choice = MAPPER.createObjectNode();
        choice.put("index", index);
        choice.set("delta", delta);
        choice.set("logprobs", logprobs);
        choice.putNull("finish_reason");
        return choice;
    }

    /** A chat chunk choice: {@code delta} holds role and/or content, or nothing in the final one. */
    static ObjectNode chatDelta(int index, boolean withRole, String content, ObjectNode logprobs, String finishReason) {
        ObjectNode choice = MAPPER.createObjectNode();
        choice.put("index", index);
        ObjectNode delta = choice.putObject("delta");
        if (withRole) {
            delta.put("role", "assistant");
        }
        if (content != null) {
            delta.put("content", content);
        }
        choice.set("logprobs", logprobs);
        choice.put("finish_reason", finishReason);
        return choice;
    }

    /**
     * Legacy completions logprobs: tokens, token_logprobs, top_logprobs, text_offset. Token ids become texts through
     * the backend's tokenizer.
     */
    static ObjectNode completionLogprobs(List<TokenLogprobs.Snapshot> items, int firstOffset, ServingBackend tokens) {
        ObjectNode node = MAPPER.createObjectNode();
        ArrayNode text = node.putArray("tokens");
        ArrayNode tokenLogprobs = node.putArray("token_logprobs");
        ArrayNode top = node.putArray("top_logprobs");
        ArrayNode offsets = node.putArray("text_offset");
        int offset = firstOffset;
        for (TokenLogprobs.Snapshot lp : items) {
            String piece = tokens.tokenPiece(lp.token());
            text.add(piece);
            tokenLogprobs.add(lp.logprob());
            ObjectNode alternatives = top.addObject();
            for (int i = 0; i < lp.topIds().length; i++) {
                alternatives.put(tokens.tokenPiece(lp.topIds()[i]), lp.topLogprobs()[i]);
            }
            offsets.add(offset);
            offset += piece.length();
        }
        return node;
    }

    /** Chat logprobs: {@code content: [{token, logprob, bytes, top_logprobs: [...]}]}. */
    static ObjectNode chatLogprobs(List<TokenLogprobs.Snapshot> items, ServingBackend tokens) {
        ObjectNode node = MAPPER.createObjectNode();
        ArrayNode content = node.putArray("content");
        for (TokenLogprobs.Snapshot lp : items) {
            ObjectNode entry = content.addObject();
            entry.put("token", tokens.tokenPiece(lp.token()));
            entry.put("logprob", lp.logprob());
            putBytes(entry, tokens.tokenBytes(lp.token()));
            ArrayNode top = entry.putArray("top_logprobs");
            for (int i = 0; i < lp.topIds().length; i++) {
                String alt = tokens.tokenPiece(lp.topIds()[i]);
                ObjectNode a = top.addObject();
                a.put("token", alt);
                a.put("logprob", lp.topLogprobs()[i]);
                putBytes(a, alt.getBytes(StandardCharsets.UTF_8));
            }
        }
        return node;
    }

    private static void putBytes(ObjectNode entry, byte[] bytes) {
        ArrayNode array = entry.putArray("bytes");
        for (byte b : bytes) {
            array.add(b & 0xff);
        }
    }

    static ObjectNode error(ApiException e) {
        ObjectNode root = MAPPER.createObjectNode();
        ObjectNode error = root.putObject("error");
        error.put("message", e.getMessage());
        error.put("type", e.type());
        error.put("param", e.param());
        error.put("code", e.code());
        return root;
    }

    static String write(ObjectNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a JSON tree", e);
        }
    }
}
