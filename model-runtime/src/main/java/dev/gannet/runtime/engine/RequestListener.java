package dev.gannet.runtime.engine;

/**
 * Receives one request's events. Both methods run ON THE ENGINE THREAD between steps: they
 * must not block or do heavy work (hand the event to another thread, e.g. a Vert.x context,
 * and return). An exception thrown from {@link #onToken} ends the request with
 * {@link FinishReason#ERROR}; one thrown from {@link #onFinish} is logged and dropped.
 */
public interface RequestListener {
    /**
     * A newly generated token. Every sampled token is delivered, including a final EOS/stop
     * token ({@link FinishInfo#stopTokenId()} then names it, so a server can hide it).
     *
     * @param index 0-based index of this token among the request's generated tokens
     */
    void onToken(long requestId, int tokenId, int index);

    /** The request was put into a batch for the first time (its queue time ends); for timing metrics. */
    default void onScheduled(long requestId) {
    }

    /** Called exactly once per accepted request, after its last {@link #onToken}. */
    void onFinish(long requestId, FinishInfo info);
}
