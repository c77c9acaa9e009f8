package dev.gannet.server.api;

/** Why a sequence ended; {@link #wireName()} is the OpenAI {@code finish_reason} string. */
public enum FinishReason {
    /** EOS, a stop token id or a stop string. */
    STOP("stop"),
    /** {@code max_tokens} or the context length reached. */
    LENGTH("length"),
    /** Aborted: client disconnect, request deadline or shutdown. */
    ABORT("abort"),
    /** The engine failed on this sequence; {@link GenerationResult#errorMessage()} says how. */
    ERROR("error");

    private final String wireName;

    FinishReason(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
