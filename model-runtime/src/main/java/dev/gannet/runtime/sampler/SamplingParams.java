package dev.gannet.runtime.sampler;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How one sequence turns logits into tokens, and when it stops: the one record every front end (HTTP, gRPC, the
 * CLI) builds and the engine and sampler read. Every range check lives in its constructor, with the API's limits
 * (OpenAI's documented ranges; vLLM's for its extensions); a violation is a {@link ParameterException} naming the
 * API field, which the HTTP layer answers with a 400 and gRPC with INVALID_ARGUMENT. The one check that needs the
 * model, token ids inside the vocabulary, is {@link #checkVocabulary}.
 *
 * <p>Semantics (the usual OpenAI / vLLM / llama.cpp meanings):
 * <ul>
 *   <li>{@code temperature} in [0, 2]; 0 means greedy (argmax, ties to the lowest id).</li>
 *   <li>{@code topK} -1 means off (0 is accepted and means off, as in vLLM); {@code topP} 1 means off;
 *       {@code minP} 0 means off.</li>
 *   <li>{@code repetitionPenalty} &gt; 0: over every token seen (prompt and generated), positive logits are
 *       divided by it and negative ones multiplied; 1 means off.</li>
 *   <li>{@code presencePenalty}, {@code frequencyPenalty} in [-2, 2]: over generated tokens only,
 *       {@code logit -= presence * (count > 0) + frequency * count}.</li>
 *   <li>{@code logitBias}: token id to a bias in [-100, 100] added to its logit; -100 bans it.</li>
 *   <li>{@code seed}: same seed, same tokens; null draws a random seed per sampler.</li>
 *   <li>{@code logprobs}: -1 reports none; 0..20 reports the chosen token's logprob and that many top
 *       alternatives.</li>
 *   <li>{@code maxTokens} &gt;= 1; {@link #UNLIMITED} means only the context length ends it (vLLM's
 *       {@code max_tokens: null}).</li>
 *   <li>{@code minTokens}: EOS, the stop token ids and stop strings are ignored until this many tokens exist.</li>
 *   <li>{@code stopTokenIds}: extra ids that end the sequence (besides EOS unless {@code ignoreEos}); like EOS,
 *       the stopping token's text is not part of the output.</li>
 *   <li>{@code stop}: at most {@link #MAX_STOP_STRINGS} non-empty strings of at most {@link #MAX_STOP_LENGTH}
 *       characters; the output ends before the first one (not included).</li>
 * </ul>
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
        int[] stopTokenIds,
        List<String> stop) {

    public static final int MAX_LOGPROBS = 20;
    public static final int MAX_STOP_STRINGS = 16;
    public static final int MAX_STOP_LENGTH = 1000;
    /** {@code maxTokens} when only the context length bounds the output. */
    public static final int UNLIMITED = Integer.MAX_VALUE;

    public SamplingParams {
        require(temperature >= 0 && temperature <= 2, "temperature", "'temperature' must be in [0, 2], got " + temperature);
        require(topP > 0 && topP <= 1, "top_p", "'top_p' must be in (0, 1], got " + topP);
        require(topK >= -1, "top_k", "'top_k' must be -1 (off) or a positive count, got " + topK);
        if (topK == 0) topK = -1;
        require(minP >= 0 && minP <= 1, "min_p", "'min_p' must be in [0, 1], got " + minP);
        require(repetitionPenalty > 0 && !Float.isInfinite(repetitionPenalty), "repetition_penalty",
                "'repetition_penalty' must be > 0 (1 = off), got " + repetitionPenalty);
        require(presencePenalty >= -2 && presencePenalty <= 2, "presence_penalty",
                "'presence_penalty' must be in [-2, 2], got " + presencePenalty);
        require(frequencyPenalty >= -2 && frequencyPenalty <= 2, "frequency_penalty",
                "'frequency_penalty' must be in [-2, 2], got " + frequencyPenalty);
        logitBias = logitBias == null ? Map.of() : Map.copyOf(logitBias);
        for (Map.Entry<Integer, Float> e : logitBias.entrySet()) {
            require(e.getKey() >= 0, "logit_bias", "'logit_bias' keys must be token ids >= 0, got " + e.getKey());
            float b = e.getValue();
            require(b >= -100 && b <= 100, "logit_bias",
                    "'logit_bias' values must be in [-100, 100], got " + b + " for token " + e.getKey());
        }
        require(logprobs >= -1 && logprobs <= MAX_LOGPROBS, "logprobs",
                "'logprobs' must be in [0, " + MAX_LOGPROBS + "], got " + logprobs);
        require(maxTokens >= 1, "max_tokens", "'max_tokens' must be >= 1, got " + maxTokens);
        require(minTokens >= 0, "min_tokens", "'min_tokens' must be >= 0, got " + minTokens);
        require(minTokens <= maxTokens, "min_tokens",
                "'min_tokens' (" + minTokens + ") must not exceed 'max_tokens' (" + maxTokens + ")");
        stopTokenIds = stopTokenIds == null ? new int[0] : stopTokenIds.clone();
        for (int id : stopTokenIds) {
            require(id >= 0, "stop_token_ids", "'stop_token_ids' must hold token ids >= 0, got " + id);
        }
        stop = stop == null ? List.of() : List.copyOf(stop);
        require(stop.size() <= MAX_STOP_STRINGS, "stop",
                "'stop' may hold at most " + MAX_STOP_STRINGS + " strings, got " + stop.size());
        for (String s : stop) {
            require(!s.isEmpty(), "stop", "'stop' strings must not be empty");
            require(s.length() <= MAX_STOP_LENGTH, "stop",
                    "'stop' strings may be at most " + MAX_STOP_LENGTH + " characters, got one of " + s.length());
        }
    }

    private static void require(boolean ok, String param, String message) {
        if (!ok) throw new ParameterException(param, message);
    }

    /**
     * The check that needs the model: every token id named by the request lies in {@code [0, vocabSize)}.
     *
     * @throws ParameterException naming {@code logit_bias} or {@code stop_token_ids}
     */
    public SamplingParams checkVocabulary(int vocabSize) {
        for (int id : logitBias.keySet()) {
            require(id < vocabSize, "logit_bias", "'logit_bias' token id " + id + " is outside the vocabulary [0, "
                    + vocabSize + ")");
        }
        for (int id : stopTokenIds) {
            require(id < vocabSize, "stop_token_ids", "'stop_token_ids' token id " + id
                    + " is outside the vocabulary [0, " + vocabSize + ")");
        }
        return this;
    }

    /** Greedy decoding of up to {@code maxTokens} tokens, nothing else switched on. */
    public static SamplingParams greedy(int maxTokens) {
        return builder().temperature(0).maxTokens(maxTokens).build();
    }

    public boolean greedy() {
        return temperature == 0 || topK == 1;
    }

    /** True when only the context length bounds the output. */
    public boolean unlimited() {
        return maxTokens == UNLIMITED;
    }

    /** The same parameters with another token limit (settled once the prompt length is known). */
    public SamplingParams withMaxTokens(int newMaxTokens) {
        return toBuilder().maxTokens(newMaxTokens).build();
    }

    /** The same parameters with another seed (each of n choices gets its own stream). */
    public SamplingParams withSeed(Long newSeed) {
        return toBuilder().seed(newSeed).build();
    }

    /** The stop token ids (a copy: the record keeps its own). */
    @Override
    public int[] stopTokenIds() {
        return stopTokenIds.clone();
    }

    /** For the engine's per-token checks: the record's own array, never to be written. */
    public boolean isStopTokenId(int token) {
        for (int id : stopTokenIds) {
            if (id == token) return true;
        }
        return false;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SamplingParams p && temperature == p.temperature && topP == p.topP && topK == p.topK
                && minP == p.minP && repetitionPenalty == p.repetitionPenalty && presencePenalty == p.presencePenalty
                && frequencyPenalty == p.frequencyPenalty && logitBias.equals(p.logitBias)
                && Objects.equals(seed, p.seed) && logprobs == p.logprobs && maxTokens == p.maxTokens
                && minTokens == p.minTokens && ignoreEos == p.ignoreEos && Arrays.equals(stopTokenIds, p.stopTokenIds)
                && stop.equals(p.stop);
    }

    @Override
    public int hashCode() {
        return Objects.hash(temperature, topP, topK, minP, repetitionPenalty, seed, maxTokens, stop,
                Arrays.hashCode(stopTokenIds));
    }

    @Override
    public String toString() {
        return "SamplingParams[temperature=" + temperature + ", topP=" + topP + ", topK=" + topK + ", minP=" + minP
                + ", repetitionPenalty=" + repetitionPenalty + ", presencePenalty=" + presencePenalty
                + ", frequencyPenalty=" + frequencyPenalty + ", logitBias=" + logitBias + ", seed=" + seed
                + ", logprobs=" + logprobs + ", maxTokens=" + (unlimited() ? "unlimited" : maxTokens)
                + ", minTokens=" + minTokens + ", ignoreEos=" + ignoreEos
                + ", stopTokenIds=" + Arrays.toString(stopTokenIds) + ", stop=" + stop.size() + " strings]";
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these values. */
    public Builder toBuilder() {
        return new Builder().temperature(temperature).topP(topP).topK(topK).minP(minP)
                .repetitionPenalty(repetitionPenalty).presencePenalty(presencePenalty).frequencyPenalty(frequencyPenalty)
                .logitBias(logitBias).seed(seed).logprobs(logprobs).maxTokens(maxTokens).minTokens(minTokens)
                .ignoreEos(ignoreEos).stopTokenIds(stopTokenIds).stop(stop);
    }

    /**
     * Defaults: temperature 1, everything else off, {@code maxTokens} {@link #UNLIMITED} (the front ends set
     * their API's default: 16 for completions, the rest of the context for chat). {@link #build} validates.
     */
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
        private int maxTokens = UNLIMITED;
        private int minTokens;
        private boolean ignoreEos;
        private int[] stopTokenIds = new int[0];
        private List<String> stop = List.of();

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
        public Builder stop(List<String> v) { stop = List.copyOf(v); return this; }

        /** @throws ParameterException naming the API field of the first value out of range */
        public SamplingParams build() {
            return new SamplingParams(temperature, topP, topK, minP, repetitionPenalty, presencePenalty, frequencyPenalty,
                    logitBias, seed, logprobs, maxTokens, minTokens, ignoreEos, stopTokenIds, stop);
        }
    }
}
