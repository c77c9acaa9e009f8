package dev.gannet.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gannet.server.api.SamplingParams;

import java.util.List;
import java.util.Map;

/**
 * The sampling fields shared by completions and chat, parsed and range-checked; {@code max_tokens}
 * is settled later, once the prompt length is known.
 */
record SamplingDraft(double temperature, double topP, int topK, double minP, Long seed,
                     double presencePenalty, double frequencyPenalty, double repetitionPenalty,
                     Map<Integer, Float> logitBias, int logprobs, int minTokens, boolean ignoreEos,
                     List<String> stop, int[] stopTokenIds) {

    /** Reads the shared fields; {@code logprobs} (top-N, -1 = none) is parsed by the caller. */
    static SamplingDraft parse(ObjectNode body, int vocabSize, int logprobs) {
        double temperature = JsonFields.optDouble(body, "temperature", 1.0, 0, 2);
        double topP = JsonFields.optDouble(body, "top_p", 1.0, 0, 1);
        if (topP == 0) {
            throw ApiException.badRequest("top_p", "'top_p' must be in (0, 1], got 0");
        }
        int topK = JsonFields.optInt(body, "top_k", -1, -1, Integer.MAX_VALUE);
        double minP = JsonFields.optDouble(body, "min_p", 0, 0, 1);
        Long seed = JsonFields.optLong(body, "seed");
        double presence = JsonFields.optDouble(body, "presence_penalty", 0, -2, 2);
        double frequency = JsonFields.optDouble(body, "frequency_penalty", 0, -2, 2);
        double repetition = JsonFields.optDouble(body, "repetition_penalty", 1, 0, 2);
        if (repetition == 0) {
            throw ApiException.badRequest("repetition_penalty", "'repetition_penalty' must be in (0, 2], got 0");
        }
        Map<Integer, Float> bias = JsonFields.logitBias(body, vocabSize);
        int minTokens = JsonFields.optInt(body, "min_tokens", 0, 0, Integer.MAX_VALUE);
        boolean ignoreEos = JsonFields.optBool(body, "ignore_eos", false);
        List<String> stop = JsonFields.stopStrings(body);
        JsonNode stopIds = JsonFields.present(body, "stop_token_ids");
        int[] stopTokenIds = stopIds == null ? new int[0] : JsonFields.tokenIds(stopIds, "stop_token_ids", vocabSize);
        JsonFields.optString(body, "user");  // accepted for OpenAI compatibility, type-checked only
        return new SamplingDraft(temperature, topP, topK == 0 ? -1 : topK, minP, seed, presence, frequency,
                repetition, bias, logprobs, minTokens, ignoreEos, stop, stopTokenIds);
    }

    /** The final parameters for choice {@code index}: each choice gets seed + index so n > 1 differ. */
    SamplingParams toParams(int maxTokens, int index, String maxTokensParam) {
        if (minTokens > maxTokens) {
            throw ApiException.badRequest("min_tokens", "'min_tokens' (" + minTokens + ") must not exceed '"
                    + maxTokensParam + "' (" + maxTokens + ")");
        }
        Long choiceSeed = seed == null ? null : seed + index;
        return new SamplingParams(temperature, topP, topK, minP, choiceSeed, presencePenalty, frequencyPenalty,
                repetitionPenalty, logitBias, logprobs, maxTokens, minTokens, ignoreEos, stop, stopTokenIds);
    }
}
