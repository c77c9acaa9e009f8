package dev.gannet.server.api;

import java.util.Objects;

/**
 * Log-probability of one chosen token and the top-N alternatives at that position.
 *
 * @param token        the chosen token's text
 * @param logprob      its log-probability (natural log)
 * @param bytes        its UTF-8 bytes (OpenAI chat {@code bytes}), may differ from token text for partial UTF-8
 * @param topTokens    top-N token texts, most probable first (length = requested N)
 * @param topLogprobs  their log-probabilities, same length
 */
public record TokenLogprob(String token, float logprob, byte[] bytes, String[] topTokens, float[] topLogprobs) {
    public TokenLogprob {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(topTokens, "topTokens");
        Objects.requireNonNull(topLogprobs, "topLogprobs");
        if (topTokens.length != topLogprobs.length) {
            throw new IllegalArgumentException("topTokens/topLogprobs lengths differ: "
                    + topTokens.length + " vs " + topLogprobs.length);
        }
    }
}
