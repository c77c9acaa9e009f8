package dev.gannet.router.policy;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What the router reads from a request body to route it. The body itself is forwarded untouched.
 *
 * @param stream   {@code "stream": true}: the answer is SSE
 * @param prefix   the first characters of the prompt (completions) or of the rendered messages (chat),
 *                 at most the configured length; empty when there is no prompt
 * @param session  the session key ({@code user}, or the session header when one is configured and sent), or null
 * @param tokens   a rough size of the work: prompt characters / 4 plus the completion tokens asked for
 */
public record RequestFacts(boolean stream, String prefix, String session, long tokens) {
    /** The completion length assumed when a request does not say (most clients send it). */
    static final int DEFAULT_MAX_TOKENS = 256;

    public RequestFacts {
        if (prefix == null) throw new IllegalArgumentException("prefix must not be null");
        if (tokens < 0) throw new IllegalArgumentException("tokens must be >= 0");
    }

    /** Facts of a request that carries no routing information (GET /v1/models, /tokenize). */
    public static RequestFacts none() {
        return new RequestFacts(false, "", null, 1);
    }

    /**
     * @param body          the parsed JSON body of /v1/completions or /v1/chat/completions
     * @param sessionHeader the session header's value, or null
     * @param prefixChars   how many leading characters form the prefix key
     */
    public static RequestFacts of(JsonNode body, String sessionHeader, int prefixChars) {
        StringBuilder text = new StringBuilder();
        long promptChars;
        JsonNode messages = body.get("messages");
        if (messages != null && messages.isArray()) {
            promptChars = renderMessages(messages, text, prefixChars);
        } else {
            promptChars = renderPrompt(body.get("prompt"), text, prefixChars);
        }
        String prefix = text.length() > prefixChars ? text.substring(0, prefixChars) : text.toString();
        String session = sessionHeader != null && !sessionHeader.isBlank() ? sessionHeader
                : body.path("user").isTextual() ? body.get("user").asText() : null;
        long maxTokens = body.path("max_completion_tokens").canConvertToLong() ? body.get("max_completion_tokens").asLong()
                : body.path("max_tokens").canConvertToLong() ? body.get("max_tokens").asLong() : DEFAULT_MAX_TOKENS;
        long n = body.path("n").canConvertToLong() ? Math.max(1, body.get("n").asLong()) : 1;
        long tokens = promptChars / 4 + Math.max(0, Math.min(maxTokens, 1 << 20)) * Math.min(n, 128);
        return new RequestFacts(body.path("stream").asBoolean(false), prefix, session, Math.max(1, tokens));
    }

    /** Appends role and content of each message until the prefix is long enough; returns all content's length. */
    private static long renderMessages(JsonNode messages, StringBuilder text, int limit) {
        long chars = 0;
        for (JsonNode m : messages) {
            String role = m.path("role").asText("");
            JsonNode content = m.get("content");
            String c;
            if (content == null || content.isNull()) {
                c = "";
            } else if (content.isTextual()) {
                c = content.asText();
            } else if (content.isArray()) {  // content parts: the text ones count
                StringBuilder parts = new StringBuilder();
                for (JsonNode part : content) {
                    if (part.path("text").isTextual()) parts.append(part.get("text").asText());
                }
                c = parts.toString();
            } else {
                c = content.toString();
            }
            chars += c.length();
            if (text.length() < limit) text.append(role).append('\n').append(c).append('\n');
        }
        return chars;
    }

    /** A prompt string, or the first of a list of prompts (strings or token ids). */
    private static long renderPrompt(JsonNode prompt, StringBuilder text, int limit) {
        if (prompt == null || prompt.isNull()) return 0;
        if (prompt.isTextual()) {
            text.append(prompt.asText(), 0, Math.min(prompt.asText().length(), limit));
            return prompt.asText().length();
        }
        if (!prompt.isArray() || prompt.isEmpty()) return 0;
        JsonNode first = prompt.get(0);
        if (first.isTextual() || first.isArray()) {
            long chars = 0;
            for (JsonNode p : prompt) chars += renderPrompt(p, new StringBuilder(), 0);
            renderPrompt(first, text, limit);
            return chars;
        }
        // token ids: each id as text, four characters' worth of work apiece
        for (JsonNode id : prompt) {
            if (text.length() < limit) text.append(id.asText()).append(',');
        }
        return 4L * prompt.size();
    }
}
