package dev.gannet.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Counts tokens with the server's own {@code POST /tokenize}, so synthetic prompts have exactly the
 * requested length for that server's tokenizer (including any BOS token it adds).
 */
final class ServerTokenCounter implements TokenCounter {

    private final ServerApi api;
    private final String model;
    private final boolean vllmStyle;

    ServerTokenCounter(ServerApi api, String model, boolean vllmStyle) {
        this.api = api;
        this.model = model;
        this.vllmStyle = vllmStyle;
    }

    @Override
    public int count(String text) {
        ObjectNode body = api.json().createObjectNode();
        if (vllmStyle) {
            body.put("model", model).put("prompt", text);
        } else {
            body.put("content", text);
        }
        JsonNode answer;
        try {
            answer = api.postJson("/tokenize", body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while calling /tokenize", e);
        }
        if (answer.path("count").isInt()) {
            return answer.get("count").asInt();
        }
        if (answer.path("tokens").isArray()) {
            return answer.get("tokens").size();
        }
        throw new IllegalStateException(api.baseUrl() + "/tokenize answer has neither 'count' nor 'tokens'");
    }

    @Override
    public String method() {
        return "server POST " + api.baseUrl() + "/tokenize ("
                + (vllmStyle ? "vLLM style {model, prompt}" : "llama.cpp style {content}") + ")";
    }

    @Override
    public boolean exact() {
        return true;
    }
}
