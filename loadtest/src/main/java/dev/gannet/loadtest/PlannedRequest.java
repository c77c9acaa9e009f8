package dev.gannet.loadtest;

import java.util.List;

/**
 * One request of a workload, fixed before the run starts so that two servers get the same bytes.
 * Exactly one of {@code prompt} (completions) and {@code messages} (chat) is set.
 *
 * @param conversation index of the conversation (single-turn workloads: one per request)
 * @param turn         0-based turn inside the conversation; turn k is sent only after turn k-1 ended
 * @param promptTokens planned prompt length in tokens (as counted when building; the server's usage is the truth)
 * @param maxTokens    requested output length
 */
public record PlannedRequest(int conversation, int turn, String prompt, List<ChatMessage> messages,
                             int promptTokens, int maxTokens) {

    public PlannedRequest {
        if ((prompt == null) == (messages == null)) {
            throw new IllegalArgumentException("a planned request needs exactly one of prompt and messages");
        }
        if (messages != null) {
            if (messages.isEmpty()) {
                throw new IllegalArgumentException("a chat request needs at least one message");
            }
            messages = List.copyOf(messages);
        }
        if (conversation < 0 || turn < 0 || maxTokens < 1) {
            throw new IllegalArgumentException("bad planned request: conversation " + conversation
                    + ", turn " + turn + ", maxTokens " + maxTokens);
        }
    }
}
