package dev.gannet.runtime.engine;

import dev.gannet.runtime.constraint.Constraint;
import dev.gannet.runtime.sampler.SamplingParams;
import java.util.Arrays;
import java.util.Objects;

/**
 * One generation request as the engine receives it (already tokenized): the one typed record from the front end
 * to the sampler.
 *
 * @param prompt    prompt token ids; copied, so the caller may reuse its array
 * @param sampling  how tokens are drawn and when the sequence stops (length, min tokens, stop ids and strings)
 * @param priority  lower runs first; equal priorities run in arrival order (0 for everyone is FCFS), as vLLM's
 *                  {@code priority}
 * @param cacheKey  prefix-cache namespace: requests share cached KV blocks only within one key (vLLM's
 *                  {@code cache_salt}); 0 = the shared default
 * @param constraint structured output: a constraint compiled for the serving model's vocabulary that every
 *                  generated token must keep (each sequence of the request walks it with its own matcher), or null
 *                  for free output. It lives here, beside the token ids, and not in {@link SamplingParams}: like the
 *                  prompt it is already bound to one model's vocabulary, while the sampling record is plain API
 *                  values that any front end builds before it knows the model.
 */
public record Request(int[] prompt, SamplingParams sampling, int priority, long cacheKey, Constraint constraint) {

    public Request {
        if (prompt == null || prompt.length == 0) {
            throw new IllegalArgumentException("Request.prompt must hold at least one token");
        }
        Objects.requireNonNull(sampling, "Request.sampling");
        for (int t : prompt) {
            if (t < 0) {
                throw new IllegalArgumentException("Request.prompt holds a negative token id " + t);
            }
        }
        prompt = prompt.clone();
    }

    /** A request without a constraint. */
    public Request(int[] prompt, SamplingParams sampling, int priority, long cacheKey) {
        this(prompt, sampling, priority, cacheKey, null);
    }

    /** A plain FCFS request: the given sampling, default priority and cache namespace. */
    public Request(int[] prompt, SamplingParams sampling) {
        this(prompt, sampling, 0, 0L);
    }

    /** Greedy decoding of up to {@code maxTokens} tokens, FCFS, default cache namespace. */
    public static Request of(int[] prompt, int maxTokens) {
        return new Request(prompt, SamplingParams.greedy(maxTokens));
    }

    /** Same request with another priority. */
    public Request withPriority(int newPriority) {
        return new Request(prompt, sampling, newPriority, cacheKey, constraint);
    }

    @Override
    public int[] prompt() {
        return prompt.clone();
    }

    int promptLength() {
        return prompt.length;
    }

    int[] promptNoCopy() {
        return prompt;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Request r && Arrays.equals(prompt, r.prompt) && sampling.equals(r.sampling)
                && priority == r.priority && cacheKey == r.cacheKey && constraint == r.constraint;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(prompt) + sampling.hashCode();
    }

    @Override
    public String toString() {
        return "Request[promptTokens=" + prompt.length + ", sampling=" + sampling + ", priority=" + priority
                + ", cacheKey=" + cacheKey + (constraint == null ? "" : ", constraint=" + constraint) + "]";
    }
}
