package dev.gannet.server.api;

import dev.gannet.runtime.engine.FinishReason;
import java.util.Objects;

/**
 * The final event of a sequence.
 *
 * @param reason            why it ended
 * @param promptTokens      prompt length in tokens
 * @param completionTokens  generated tokens (the count that {@code usage} reports)
 * @param errorMessage      set when reason is ERROR, else null
 * @param queueNanos        time from submit to first scheduled (0 when unknown)
 * @param prefillNanos      time spent on prefill (0 when unknown)
 * @param decodeNanos       time from first token to finish (0 when unknown)
 */
public record GenerationResult(FinishReason reason, int promptTokens, int completionTokens, String errorMessage,
                               long queueNanos, long prefillNanos, long decodeNanos) {
    public GenerationResult {
        Objects.requireNonNull(reason, "reason");
        if (promptTokens < 0 || completionTokens < 0) {
            throw new IllegalArgumentException("token counts must be >= 0");
        }
        if (queueNanos < 0 || prefillNanos < 0 || decodeNanos < 0) {
            throw new IllegalArgumentException("timings must be >= 0");
        }
        if (reason == FinishReason.ERROR && errorMessage == null) {
            throw new IllegalArgumentException("an ERROR result needs an errorMessage");
        }
    }
}
