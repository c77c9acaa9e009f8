package dev.gannet.runtime.engine;

/**
 * How a request ended, with the engine's own timings of its life.
 *
 * @param reason             why
 * @param promptTokens       prompt length
 * @param generatedTokens    tokens delivered in {@link RequestEvent}s
 * @param cachedPromptTokens prompt tokens served from the prefix cache at first admission
 * @param preemptions        times the request was preempted and recomputed
 * @param stopTokenId        the EOS/stop token id that ended it, or -1
 * @param error              message for {@link FinishReason#ERROR}, else null
 * @param queueNanos         from submit to the first step that scheduled it (to the end if it never was)
 * @param prefillNanos       from that step to its first token (0 without tokens)
 * @param decodeNanos        from its first token to the end (0 without tokens)
 */
public record FinishInfo(FinishReason reason, int promptTokens, int generatedTokens,
                         int cachedPromptTokens, int preemptions, int stopTokenId, String error,
                         long queueNanos, long prefillNanos, long decodeNanos) {
    public FinishInfo {
        if (reason == null) {
            throw new IllegalArgumentException("FinishInfo.reason is null");
        }
        if (promptTokens < 1 || generatedTokens < 0 || cachedPromptTokens < 0 || preemptions < 0) {
            throw new IllegalArgumentException("FinishInfo counts out of range: prompt=" + promptTokens
                    + " generated=" + generatedTokens + " cached=" + cachedPromptTokens + " preemptions=" + preemptions);
        }
        if ((reason == FinishReason.ERROR) != (error != null)) {
            throw new IllegalArgumentException("FinishInfo.error must be set exactly for ERROR, reason=" + reason);
        }
        if (queueNanos < 0 || prefillNanos < 0 || decodeNanos < 0) {
            throw new IllegalArgumentException("FinishInfo timings must be >= 0");
        }
    }
}
