package dev.gannet.runtime.engine;

/** Why a request ended; {@link #wireName()} is the OpenAI-style {@code finish_reason}. */
public enum FinishReason {
    /** An EOS or stop token id, or a stop string, ended generation. */
    STOP("stop"),
    /** {@code max_tokens} or the maximum context length was reached. */
    LENGTH("length"),
    /** The caller aborted the request, or the engine shut down. */
    ABORT("abort"),
    /** A step failed (the model runner threw) or the listener threw. */
    ERROR("error");

    private final String wireName;

    FinishReason(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
