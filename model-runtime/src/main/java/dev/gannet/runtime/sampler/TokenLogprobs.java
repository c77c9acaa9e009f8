package dev.gannet.runtime.sampler;

import java.util.Arrays;

/**
 * Log-probabilities for the last sampled token, refilled in place by {@link Sampler#sample}: valid
 * until the next call. {@link #snapshot()} copies it for handing to another thread.
 *
 * <p>They are the log-softmax of the raw model logits, before penalties, logit bias, temperature and
 * truncation (vLLM's default {@code raw_logprobs}): what the model believes, not what was sampled from.
 */
public final class TokenLogprobs {
    int token;
    float logprob;
    int topCount;
    final int[] topIds;         // (n) best first; ties to the lower id
    final float[] topLogprobs;  // (n)

    TokenLogprobs(int n) {
        topIds = new int[n];
        topLogprobs = new float[n];
    }

    public int token() { return token; }

    public float logprob() { return logprob; }

    public int topCount() { return topCount; }

    public int topId(int i) { return topIds[i]; }

    public float topLogprob(int i) { return topLogprobs[i]; }

    public Snapshot snapshot() {
        return new Snapshot(token, logprob, Arrays.copyOf(topIds, topCount), Arrays.copyOf(topLogprobs, topCount));
    }

    /** An immutable copy: the chosen token, its logprob, and the top alternatives best first. */
    public record Snapshot(int token, float logprob, int[] topIds, float[] topLogprobs) {
        public Snapshot {
            if (topIds.length != topLogprobs.length) throw new IllegalArgumentException("topIds and topLogprobs differ in length");
        }
    }
}
