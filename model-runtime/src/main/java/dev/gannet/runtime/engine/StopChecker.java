package dev.gannet.runtime.engine;

/**
 * Per-request hook for stop conditions the engine cannot see in token ids, such as stop
 * strings (which need the detokenizer). Called on the engine thread after every sampled token
 * that the token-id rules did not already stop; must be fast and must not block.
 */
@FunctionalInterface
public interface StopChecker {
    /**
     * @param tokens      the sequence so far: prompt then generated tokens; read only
     * @param promptLength number of prompt tokens at the start of {@code tokens}
     * @param numTokens   valid length of {@code tokens}; the new token is {@code tokens[numTokens - 1]}
     * @return true to finish the request with {@link FinishReason#STOP}
     */
    boolean shouldStop(int[] tokens, int promptLength, int numTokens);
}
