package dev.gannet.loadtest;

/** One OpenAI chat message; serialised as {@code {"role":..,"content":..}}. */
public record ChatMessage(String role, String content) {

    public ChatMessage {
        if (role == null || role.isBlank()) {
            throw new IllegalArgumentException("chat message role is empty");
        }
        if (content == null) {
            throw new IllegalArgumentException("chat message content is null (role " + role + ")");
        }
    }

    public static ChatMessage system(String content) {
        return new ChatMessage("system", content);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage("user", content);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage("assistant", content);
    }
}
