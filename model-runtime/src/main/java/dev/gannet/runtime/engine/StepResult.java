package dev.gannet.runtime.engine;

import dev.gannet.runtime.sampler.TokenLogprobs;

/**
 * What the runner returns for one step, one entry per row listed in {@link SchedulerOutput#logitRows()}, in that
 * order.
 *
 * @param sampledTokens (numSampled) the next token of each sampled row
 * @param logprobs      (numSampled) that token's logprobs where its request asked for them, else null entries; or
 *                      null when no row asked
 */
public record StepResult(int[] sampledTokens, TokenLogprobs.Snapshot[] logprobs) {
    public StepResult {
        if (sampledTokens == null) {
            throw new IllegalArgumentException("StepResult.sampledTokens is null");
        }
        for (int t : sampledTokens) {
            if (t < 0) {
                throw new IllegalArgumentException("StepResult.sampledTokens holds a negative token id " + t);
            }
        }
        if (logprobs != null && logprobs.length != sampledTokens.length) {
            throw new IllegalArgumentException("StepResult: " + logprobs.length + " logprobs for " + sampledTokens.length + " tokens");
        }
    }

    /** Tokens without logprobs. */
    public StepResult(int[] sampledTokens) {
        this(sampledTokens, null);
    }

    /** The logprobs of sampled row j, or null. */
    public TokenLogprobs.Snapshot logprobs(int j) {
        return logprobs == null ? null : logprobs[j];
    }
}
