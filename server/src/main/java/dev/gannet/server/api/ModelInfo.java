package dev.gannet.server.api;

import java.util.Objects;

/**
 * Static facts about the loaded model.
 *
 * @param modelId        where it came from (file name or HF id), shown in {@code /v1/models}
 * @param contextLength  max prompt + completion tokens
 * @param vocabSize      number of token ids
 * @param chatTemplate   the Jinja chat template from the model files, or null when it has none
 * @param bosToken       BOS token string ("" when none), passed to templates as {@code bos_token}
 * @param eosToken       EOS token string ("" when none), passed as {@code eos_token}
 * @param device         where it runs, e.g. "cpu" or "cuda:0"
 * @param sharding       e.g. "none" or "tp=2"
 * @param kvCacheTokens  tokens the whole KV cache holds (all running and waiting sequences share it)
 */
public record ModelInfo(String modelId, int contextLength, int vocabSize, String chatTemplate,
                        String bosToken, String eosToken, String device, String sharding, long kvCacheTokens) {
    public ModelInfo {
        Objects.requireNonNull(modelId, "modelId");
        Objects.requireNonNull(bosToken, "bosToken");
        Objects.requireNonNull(eosToken, "eosToken");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(sharding, "sharding");
        if (contextLength < 1) {
            throw new IllegalArgumentException("contextLength must be >= 1, got " + contextLength);
        }
        if (vocabSize < 1) {
            throw new IllegalArgumentException("vocabSize must be >= 1, got " + vocabSize);
        }
    }

    public boolean hasChatTemplate() {
        return chatTemplate != null && !chatTemplate.isBlank();
    }
}
