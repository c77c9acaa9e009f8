package dev.gannet.runtime.sampler;

/**
 * A request parameter out of its allowed range. {@link #param()} is the field's name as the OpenAI API spells it
 * ({@code top_p}, {@code max_tokens}), so the HTTP layer answers a 400 naming it and gRPC an INVALID_ARGUMENT.
 */
public final class ParameterException extends IllegalArgumentException {
    private final String param;

    public ParameterException(String param, String message) {
        super(message);
        this.param = param;
    }

    /** The API field at fault. */
    public String param() {
        return param;
    }
}
