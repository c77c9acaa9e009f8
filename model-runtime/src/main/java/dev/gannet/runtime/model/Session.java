package dev.gannet.runtime.model;

import java.util.Arrays;

/**
 * One sequence without a scheduler, for tests: a forward pass whose KV blocks 0, 1, 2, ... hold {@code maxContext}
 * tokens in blocks of {@link #BLOCK_SIZE}, a prefill (in chunks of at most the pass's {@code maxTokens}) and then
 * one decode step per token. The forward pass comes from {@code dev.gannet.runtime.backend.ForwardFactory} like
 * every other. Logits returned are (vocab) f32 in a reused buffer, valid until the next call. Not thread-safe.
 */
public final class Session implements AutoCloseable {
    public static final int BLOCK_SIZE = 16;
    /** Default cache length: a 128K-context model would otherwise reserve gigabytes of KV cache. */
    public static final int DEFAULT_MAX_CONTEXT = 4096;

    private final int maxContext;
    private final BatchForward forward;
    private final int[] blockTable;
    private final int chunk;
    private int position;

    /**
     * A session over a forward pass whose KV blocks 0, 1, 2, ... hold {@code maxContext} tokens in blocks of
     * {@link #BLOCK_SIZE}. The session closes the forward pass.
     */
    public Session(BatchForward forward, int maxContext) {
        if (maxContext <= 0 || maxContext > forward.model().config().contextLength()) {
            throw new IllegalArgumentException("maxContext " + maxContext + " must be in [1, " + forward.model().config().contextLength() + "]");
        }
        this.maxContext = maxContext;
        this.chunk = Math.min(forward.maxTokens(), maxContext);
        this.blockTable = new int[(maxContext + BLOCK_SIZE - 1) / BLOCK_SIZE];
        Arrays.setAll(blockTable, i -> i);
        this.forward = forward;
    }

    /** Blocks a session of {@code maxContext} tokens uses. */
    public static int blocksFor(int maxContext) {
        return (maxContext + BLOCK_SIZE - 1) / BLOCK_SIZE;
    }

    /** The forward pass this session drives. */
    public BatchForward forward() { return forward; }

    /** Most tokens this session holds. */
    public int maxContext() { return maxContext; }

    /** Tokens in the cache so far: the position the next token gets. */
    public int position() { return position; }

    /** Appends {@code tokens} (the whole prompt, or more of it) and returns the logits after the last one. */
    public float[] prefill(int[] tokens) {
        if (tokens.length == 0) throw new IllegalArgumentException("prefill of no tokens");
        ensureRoom(tokens.length);
        float[] logits = null;
        for (int from = 0; from < tokens.length; from += chunk) {
            int[] part = Arrays.copyOfRange(tokens, from, Math.min(tokens.length, from + chunk));
            logits = forward.forward(ForwardBatch.single(part, position, blockTable, BLOCK_SIZE));
            position += part.length;
        }
        return logits;
    }

    /** Appends one token and returns the logits that predict the next. */
    public float[] decode(int token) {
        ensureRoom(1);
        float[] logits = forward.forward(ForwardBatch.single(new int[] {token}, position, blockTable, BLOCK_SIZE));
        position++;
        return logits;
    }

    /** Forgets the sequence; the next prefill starts at position 0. */
    public void reset() {
        position = 0;
    }

    private void ensureRoom(int n) {
        if (position + n > maxContext) {
            throw new IllegalArgumentException("sequence of " + (position + n) + " tokens exceeds this session's context of " + maxContext);
        }
    }

    @Override
    public void close() {
        forward.close();
    }
}
