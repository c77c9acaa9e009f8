package dev.gannet.server.api;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Sampling fields of one sequence, already validated at the API edge (the HTTP layer maps
 * range errors to 400s naming the JSON field; these checks are the backstop).
 *
 * @param temperature        0 = greedy
 * @param topP               (0,1]
 * @param topK               -1 = off, else >= 1
 * @param minP               [0,1]
 * @param seed               null = random
 * @param presencePenalty    [-2,2]
 * @param frequencyPenalty   [-2,2]
 * @param repetitionPenalty  > 0, 1 = off
 * @param logitBias          token id -> bias in [-100,100]
 * @param logprobs           top-N alternatives to return per token; -1 = no logprobs, 0 = chosen token only
 * @param maxTokens          >= 1, already clamped to the context left after the prompt
 * @param minTokens          >= 0, EOS/stop suppressed until this many tokens
 * @param ignoreEos          keep generating past EOS
 * @param stop               stop strings (not included in the output)
 * @param stopTokenIds       extra stop token ids
 */
public record SamplingParams(double temperature, double topP, int topK, double minP, Long seed,
                             double presencePenalty, double frequencyPenalty, double repetitionPenalty,
                             Map<Integer, Float> logitBias, int logprobs, int maxTokens, int minTokens,
                             boolean ignoreEos, List<String> stop, int[] stopTokenIds) {
    public SamplingParams {
        check(temperature >= 0 && temperature <= 2, "temperature", temperature);
        check(topP > 0 && topP <= 1, "topP", topP);
        check(topK == -1 || topK >= 1, "topK", topK);
        check(minP >= 0 && minP <= 1, "minP", minP);
        check(presencePenalty >= -2 && presencePenalty <= 2, "presencePenalty", presencePenalty);
        check(frequencyPenalty >= -2 && frequencyPenalty <= 2, "frequencyPenalty", frequencyPenalty);
        check(repetitionPenalty > 0 && repetitionPenalty <= 2, "repetitionPenalty", repetitionPenalty);
        check(logprobs >= -1 && logprobs <= 20, "logprobs", logprobs);
        check(maxTokens >= 1, "maxTokens", maxTokens);
        check(minTokens >= 0 && minTokens <= maxTokens, "minTokens", minTokens);
        logitBias = Map.copyOf(Objects.requireNonNull(logitBias, "logitBias"));
        stop = List.copyOf(Objects.requireNonNull(stop, "stop"));
        Objects.requireNonNull(stopTokenIds, "stopTokenIds");
    }

    private static void check(boolean ok, String field, Object value) {
        if (!ok) {
            throw new IllegalArgumentException("SamplingParams." + field + " out of range: " + value);
        }
    }

    /** Greedy decoding of {@code maxTokens} tokens, no penalties, no logprobs. */
    public static SamplingParams greedy(int maxTokens) {
        return new SamplingParams(0, 1, -1, 0, null, 0, 0, 1, Map.of(), -1, maxTokens, 0,
                false, List.of(), new int[0]);
    }

    /** The same parameters with another seed (used to give each of n choices its own stream). */
    public SamplingParams withSeed(Long newSeed) {
        return new SamplingParams(temperature, topP, topK, minP, newSeed, presencePenalty, frequencyPenalty,
                repetitionPenalty, logitBias, logprobs, maxTokens, minTokens, ignoreEos, stop, stopTokenIds);
    }
}
