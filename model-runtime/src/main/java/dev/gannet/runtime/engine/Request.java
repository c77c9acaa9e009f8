package dev.gannet.runtime.engine;

import java.util.Arrays;

/**
 * One generation request as the engine receives it (already tokenized).
 *
 * @param prompt         prompt token ids; copied, so the caller may reuse its array
 * @param maxTokens      most tokens to generate (>= 1); the context limit may end it sooner
 * @param minTokens      EOS and stop tokens are ignored until this many were generated (0..maxTokens)
 * @param stopTokenIds   extra token ids that end generation (checked even with {@code ignoreEos}); copied
 * @param ignoreEos      keep generating through the model's EOS token(s)
 * @param priority       lower runs first; equal priorities run in arrival order (use 0 for FCFS)
 * @param cacheKey       prefix-cache namespace (LoRA id or per-tenant salt); 0 = shared default
 * @param samplingParams opaque to the engine, passed through to the {@link ModelRunner}; may be null
 * @param stopChecker    extra stop rule (stop strings); may be null
 */
public record Request(int[] prompt, int maxTokens, int minTokens, int[] stopTokenIds, boolean ignoreEos,
                      int priority, long cacheKey, Object samplingParams, StopChecker stopChecker) {
    private static final int[] NONE = new int[0];

    public Request {
        if (prompt == null || prompt.length == 0) {
            throw new IllegalArgumentException("Request.prompt must hold at least one token");
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("Request.maxTokens must be >= 1, got " + maxTokens);
        }
        if (minTokens < 0 || minTokens > maxTokens) {
            throw new IllegalArgumentException("Request.minTokens must be in [0, maxTokens=" + maxTokens
                    + "], got " + minTokens);
        }
        for (int t : prompt) {
            if (t < 0) {
                throw new IllegalArgumentException("Request.prompt holds a negative token id " + t);
            }
        }
        prompt = prompt.clone();
        stopTokenIds = stopTokenIds == null ? NONE : stopTokenIds.clone();
    }

    /** A plain FCFS request: no stop ids beyond EOS, no min tokens, default cache namespace. */
    public static Request of(int[] prompt, int maxTokens) {
        return new Request(prompt, maxTokens, 0, null, false, 0, 0L, null, null);
    }

    /** Same request with another priority. */
    public Request withPriority(int newPriority) {
        return new Request(prompt, maxTokens, minTokens, stopTokenIds, ignoreEos, newPriority, cacheKey,
                samplingParams, stopChecker);
    }

    @Override
    public int[] prompt() {
        return prompt.clone();
    }

    @Override
    public int[] stopTokenIds() {
        return stopTokenIds.clone();
    }

    int promptLength() {
        return prompt.length;
    }

    int[] promptNoCopy() {
        return prompt;
    }

    int[] stopTokenIdsNoCopy() {
        return stopTokenIds;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Request r && Arrays.equals(prompt, r.prompt) && maxTokens == r.maxTokens
                && minTokens == r.minTokens && Arrays.equals(stopTokenIds, r.stopTokenIds)
                && ignoreEos == r.ignoreEos && priority == r.priority && cacheKey == r.cacheKey
                && java.util.Objects.equals(samplingParams, r.samplingParams)
                && java.util.Objects.equals(stopChecker, r.stopChecker);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(prompt) + Integer.hashCode(maxTokens);
    }

    @Override
    public String toString() {
        return "Request[promptTokens=" + prompt.length + ", maxTokens=" + maxTokens + ", minTokens=" + minTokens
                + ", stopTokenIds=" + Arrays.toString(stopTokenIds) + ", ignoreEos=" + ignoreEos
                + ", priority=" + priority + ", cacheKey=" + cacheKey + "]";
    }
}
