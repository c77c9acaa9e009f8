package dev.gannet.runtime.template;

/** A chat request that cannot be rendered as given; {@link #param()} names the request field at fault. */
public final class ChatInputException extends IllegalArgumentException {
    private final String param;

    public ChatInputException(String param, String message) {
        super(message);
        this.param = param;
    }

    /** The request field: {@code messages}, {@code tools}, {@code documents}, {@code chat_template_kwargs}, ... */
    public String param() {
        return param;
    }
}
