package dev.gannet.runtime.tokenizer;

/**
 * What kind of vocabulary entry a token is, with GGUF's {@code tokenizer.ggml.token_type} numbering.
 * Control and unknown tokens render as empty text unless special rendering is asked for; they are
 * matched in input text only when special parsing is on. User-defined tokens are always matched in
 * text and always render as their literal text.
 */
public enum TokenType {
    /** Ordinary text piece. */
    NORMAL,
    /** The unknown token ({@code <unk>}). */
    UNKNOWN,
    /** Control token such as BOS, EOS, {@code <|im_start|>}. */
    CONTROL,
    /** Added token that is matched literally in text and rendered literally. */
    USER_DEFINED,
    /** Placeholder that never appears in encoded text and renders as nothing. */
    UNUSED,
    /** Byte-fallback token {@code <0xXX>} standing for one raw byte. */
    BYTE;

    /** Maps GGUF's token type code (1 normal ... 6 byte; 0 and unknown codes count as normal). */
    public static TokenType fromGguf(int code) {
        return switch (code) {
            case 2 -> UNKNOWN;
            case 3 -> CONTROL;
            case 4 -> USER_DEFINED;
            case 5 -> UNUSED;
            case 6 -> BYTE;
            default -> NORMAL;
        };
    }

    /** Whether this token renders as empty text in default (non-special) decoding. */
    boolean hiddenByDefault() {
        return this == CONTROL || this == UNKNOWN || this == UNUSED;
    }
}
