package dev.gannet.server.api;

import java.util.Objects;

/**
 * One sequence to generate. A request with {@code n > 1} is submitted as n sequences
 * (ids {@code <requestId>-<i>}); the engine's prefix cache shares their prompt blocks.
 *
 * @param requestId  unique id, used in engine logs
 * @param promptIds  the full prompt, specials included; at least one token
 * @param sampling   sampling parameters
 */
public record GenerationRequest(String requestId, int[] promptIds, SamplingParams sampling) {
    public GenerationRequest {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(promptIds, "promptIds");
        Objects.requireNonNull(sampling, "sampling");
        if (promptIds.length == 0) {
            throw new IllegalArgumentException("GenerationRequest " + requestId + ": empty prompt");
        }
    }
}
