package dev.gannet.runtime.serving;

import dev.gannet.runtime.engine.FinishInfo;
import dev.gannet.runtime.sampler.TokenLogprobs;

/**
 * Receives one generation's events, ON THE ENGINE THREAD: implementations must not block (hand the
 * event to another thread and return).
 */
public interface GenerationListener {
    /** The request entered its first batch: queue time ends, prefill begins. */
    default void onScheduled() {
    }

    /**
     * A generated token.
     *
     * @param text     text released by this token: may be empty (an incomplete UTF-8 character, a possible
     *                 stop string held back, a control token) or hold text held back earlier
     * @param logprobs the token's logprobs when the request asked for them, else null
     */
    void onToken(int tokenId, int index, String text, TokenLogprobs.Snapshot logprobs);

    /**
     * The end: called exactly once, after the last {@link #onToken}.
     *
     * @param text             text still held back, released now (empty when there is none)
     * @param stoppedByString  true when a stop string ended the generation
     */
    void onFinish(FinishInfo info, String text, boolean stoppedByString);
}
