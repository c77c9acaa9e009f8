package dev.gannet.server.api;

import java.util.Objects;

/**
 * Tokens produced by one engine step for one sequence.
 *
 * @param tokenIds  the new token ids (usually one)
 * @param text      the newly final text: already detokenized incrementally (no split UTF-8),
 *                  and held back while it could still be the start of a stop string, so the
 *                  concatenation of all chunks is exactly the completion text
 * @param logprobs  one entry per token id when logprobs were requested, else null
 */
public record TokenChunk(int[] tokenIds, String text, TokenLogprob[] logprobs) {
    public TokenChunk {
        Objects.requireNonNull(tokenIds, "tokenIds");
        Objects.requireNonNull(text, "text");
        if (logprobs != null && logprobs.length != tokenIds.length) {
            throw new IllegalArgumentException("logprobs length " + logprobs.length
                    + " != tokenIds length " + tokenIds.length);
        }
    }
}
