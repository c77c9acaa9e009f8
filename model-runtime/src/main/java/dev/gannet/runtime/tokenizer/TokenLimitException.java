package dev.gannet.runtime.tokenizer;

/** A text that tokenizes to more tokens than the caller's limit; tokenization stopped as soon as that was certain. */
public final class TokenLimitException extends IllegalArgumentException {
    private final int limit;

    public TokenLimitException(int limit, String message) {
        super(message);
        this.limit = limit;
    }

    /** The limit that was exceeded. */
    public int limit() {
        return limit;
    }
}
