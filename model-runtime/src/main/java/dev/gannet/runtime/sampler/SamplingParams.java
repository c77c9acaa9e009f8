package dev.gannet.runtime.sampler;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * How one request turns logits into tokens, and when it stops. Validated here so that the server
 * can map an {@link IllegalArgumentException} message straight to a 400 naming the field.
 *
 * <p>Semantics (the usual OpenAI / vLLM / llama.cpp meanings):
 * <ul>
 *   <li>{@code temperature} 0 means greedy (argmax, ties to the lowest id).</li>
 *   <li>{@code topK} -1 or 0 means off; {@code topP} 1 means off; {@code minP} 0 means off.</li>
 *   <li>{@code repetitionPenalty}: over every token seen (prompt and generated), positive logits
 *       are divided by it and negative ones multiplied; 1 means off.</li>
 *   <li>{@code presencePenalty}, {@code frequencyPenalty}: over generated tokens only,
 *       {@code logit -= presence * (count > 0) + frequency * count}.</li>
 *   <li>{@code logitBias}: token id to a bias in [-100, 100] added to its logit; -100 bans it.</li>
 *   <li>{@code seed}: same seed, same tokens; null draws a random seed per sampler.</li>
 *   <li>{@code logprobs}: -1 reports none; 0..20 reports the chosen token's logprob and that many
 *       top alternatives (as the server's API record counts them).</li>
 *   <li>{@code minTokens}: EOS and the stop token ids are banned until this many tokens exist.</li>
 * </ul>
 *
 * @param stopTokenIds extra token ids that end the sequence (besides the model's EOS unless ignoreEos)
 */
public record SamplingParams(
        float temperature,
        float topP,
        int topK,
        float minP,
        float repetitionPenalty,
        float presencePenalty,
        float frequencyPenalty,
        Map<Integer, Float> logitBias,
        Long seed,
        int logprobs,
        int maxTokens,
        int minTokens,
        boolean ignoreEos,
        int[] stopTokenIds) {

    public static final int MAX_LOGPROBS = 20;

    public SamplingParams {
        if (!(temperature >= 0) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be >= 0 (0 = greedy), got " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        if (topK < -1) throw new IllegalArgumentException("top_k must be -1 or 0 (off) or a positive count, got " + topK);
        if (!(minP >= 0 && minP <= 1)) throw new IllegalArgumentException("min_p must be in [0, 1], got " + minP);
        if (!(repetitionPenalty > 0) || Float.isInfinite(repetitionPenalty)) {
            throw new IllegalArgumentException("repetition_penalty must be > 0 (1 = off), got " + repetitionPenalty);
        }
        if (!(presencePenalty >= -2 && presencePenalty <= 2)) {
            throw new IllegalArgumentException("presence_penalty must be in [-2, 2], got " + presencePenalty);
        }
        if (!(frequencyPenalty >= -2 && frequencyPenalty <= 2)) {
            throw new IllegalArgumentException("frequency_penalty must be in [-2, 2], got " + frequencyPenalty);
        }
        logitBias = logitBias == null ? Map.of() : Map.copyOf(logitBias);
        for (Map.Entry<Integer, Float> e : logitBias.entrySet()) {
            if (e.getKey() < 0) throw new IllegalArgumentException("logit_bias token id must be >= 0, got " + e.getKey());
            float b = e.getValue();
            if (!(b >= -100 && b <= 100)) {
                throw new IllegalArgumentException("logit_bias for token " + e.getKey() + " must be in [-100, 100], got " + b);
            }
        }
        if (logprobs < -1 || logprobs > MAX_LOGPROBS) {
            throw new IllegalArgumentException("logprobs must be -1 (none) or in [0, " + MAX_LOGPROBS + "], got " + logprobs);
        }
        if (maxTokens < 1) throw new IllegalArgumentException("max_tokens must be >= 1, got " + maxTokens);
        if (minTokens < 0 || minTokens > maxTokens) {
            throw new IllegalArgumentException("min_tokens must be in [0, max_tokens=" + maxTokens + "], got " + minTokens);
        }
        stopTokenIds = stopTokenIds == null ? new int[0] : stopTokenIds.clone();
        for (int id : stopTokenIds) {
            if (id < 0) throw new IllegalArgumentException("stop_token_ids must be >= 0, got " + id);
        }
    }

    /** Greedy decoding of up to {@code maxTokens} tokens, nothing else switched on. */
    public static SamplingParams greedy(int maxTokens) {
        return builder().temperature(0).maxTokens(maxTokens).build();
    }

    public boolean greedy() {
        return temperature == 0 || topK == 1;
    }

    /** The stop token ids (a copy: the record keeps its own). */
    @Override
    public int[] stopTokenIds() {
        return stopTokenIds.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SamplingParams p && temperature == p.temperature && topP == p.topP && topK == p.topK
                && minP == p.minP && repetitionPenalty == p.repetitionPenalty && presencePenalty == p.presencePenalty
                && frequencyPenalty == p.frequencyPenalty && logitBias.equals(p.logitBias)
                && java.util.Objects.equals(seed, p.seed) && logprobs == p.logprobs && maxTokens == p.maxTokens
                && minTokens == p.minTokens && ignoreEos == p.ignoreEos && Arrays.equals(stopTokenIds, p.stopTokenIds);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(temperature, topP, topK, minP, repetitionPenalty, seed, maxTokens, Arrays.hashCode(stopTokenIds));
    }

    @Override
    public String toString() {
        return "SamplingParams[temperature=" + temperature + ", topP=" + topP + ", topK=" + topK + ", minP=" + minP
                + ", repetitionPenalty=" + repetitionPenalty + ", presencePenalty=" + presencePenalty
                + ", frequencyPenalty=" + frequencyPenalty + ", logitBias=" + logitBias + ", seed=" + seed
                + ", logprobs=" + logprobs + ", maxTokens=" + maxTokens + ", minTokens=" + minTokens
                + ", ignoreEos=" + ignoreEos + ", stopTokenIds=" + Arrays.toString(stopTokenIds) + "]";
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Defaults: temperature 1, everything else off, max_tokens 16 (OpenAI's completions default). */
    public static final class Builder {
        private float temperature = 1;
        private float topP = 1;
        private int topK = -1;
        private float minP = 0;
        private float repetitionPenalty = 1;
        private float presencePenalty = 0;
        private float frequencyPenalty = 0;
        private final Map<Integer, Float> logitBias = new HashMap<>();
        private Long seed;
        private int logprobs = -1;
        private int maxTokens = 16;
        private int minTokens;
        private boolean ignoreEos;
        private int[] stopTokenIds = new int[0];

        public Builder temperature(float v) { temperature = v; return this; }
        public Builder topP(float v) { topP = v; return this; }
        public Builder topK(int v) { topK = v; return this; }
        public Builder minP(float v) { minP = v; return this; }
        public Builder repetitionPenalty(float v) { repetitionPenalty = v; return this; }
        public Builder presencePenalty(float v) { presencePenalty = v; return this; }
        public Builder frequencyPenalty(float v) { frequencyPenalty = v; return this; }
        public Builder logitBias(int token, float bias) { logitBias.put(token, bias); return this; }
        public Builder logitBias(Map<Integer, Float> v) { logitBias.putAll(v); return this; }
        public Builder seed(Long v) { seed = v; return this; }
        public Builder logprobs(int v) { logprobs = v; return this; }
        public Builder maxTokens(int v) { maxTokens = v; return this; }
        public Builder minTokens(int v) { minTokens = v; return this; }
        public Builder ignoreEos(boolean v) { ignoreEos = v; return this; }
        public Builder stopTokenIds(int... v) { stopTokenIds = v.clone(); return this; }

        public SamplingParams build() {
            return new SamplingParams(temperature, topP, topK, minP, repetitionPenalty, presencePenalty, frequencyPenalty,
                    logitBias, seed, logprobs, maxTokens, minTokens, ignoreEos, stopTokenIds);
        }
    }
}
