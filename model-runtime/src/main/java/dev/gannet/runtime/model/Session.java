package dev.gannet.runtime.model;

import dev.gannet.runtime.kernel.Kernels;
import dev.gannet.runtime.kernel.VectorKernels;
import java.util.Arrays;

/**
 * One sequence without a scheduler, for tests and the {@code generate} command: a private KV cache of
 * {@code maxContext} tokens whose block table is simply 0, 1, 2, ..., a prefill (in chunks of at most
 * {@code chunk} tokens) and then one decode step per token. Logits returned are (vocab) f32 in a reused
 * buffer, valid until the next call. Not thread-safe.
 */
public final class Session implements AutoCloseable {
    public static final int BLOCK_SIZE = 16;
    /** Default cache length: a 128K-context model would otherwise reserve gigabytes of KV cache. */
    public static final int DEFAULT_MAX_CONTEXT = 4096;

    private final int maxContext;
    private final KvStorage kv;            // null when the forward pass owns its KV storage
    private final Attention attention;     // null when the forward pass owns its attention
    private final boolean ownsAttention;
    private final BatchForward forward;
    private final int[] blockTable;
    private final int chunk;
    private int position;

    /**
     * A session with {@link VectorAttention} on {@code kernels.threads()} threads, prefill chunks of 256
     * tokens and room for min(context length, {@link #DEFAULT_MAX_CONTEXT}) tokens.
     */
    public Session(Model model, Kernels kernels) {
        this(model, kernels, Math.min(model.config().contextLength(), DEFAULT_MAX_CONTEXT));
    }

    /** As {@link #Session(Model, Kernels)} with room for {@code maxContext} tokens (at most the model's context length). */
    public Session(Model model, Kernels kernels, int maxContext) {
        this(model, kernels, kernels instanceof VectorKernels vk ? new VectorAttention(model.config(), vk.pool())
                : new VectorAttention(model.config(), kernels.threads()), true, 256, maxContext);
    }

    /** A session on the given attention (owned by the caller) with prefill chunks of at most {@code chunk} tokens. */
    public Session(Model model, Kernels kernels, Attention attention, int chunk) {
        this(model, kernels, attention, false, chunk, Math.min(model.config().contextLength(), DEFAULT_MAX_CONTEXT));
    }

    private Session(Model model, Kernels kernels, Attention attention, boolean ownsAttention, int chunk, int maxContext) {
        this.attention = attention;
        this.ownsAttention = ownsAttention;
        try {
            if (chunk <= 0) throw new IllegalArgumentException("chunk " + chunk);
            if (maxContext <= 0 || maxContext > model.config().contextLength()) {
                throw new IllegalArgumentException("maxContext " + maxContext + " must be in [1, " + model.config().contextLength() + "]");
            }
            this.maxContext = maxContext;
            this.chunk = Math.min(chunk, maxContext);
            int blocks = (maxContext + BLOCK_SIZE - 1) / BLOCK_SIZE;
            this.blockTable = new int[blocks];
            Arrays.setAll(blockTable, i -> i);
            this.kv = KvStorage.forModel(model.config(), blocks, BLOCK_SIZE);
        } catch (RuntimeException e) {
            if (ownsAttention) attention.close();
            throw e;
        }
        this.forward = new ForwardPass(model, kernels, attention, kv, this.chunk, 1); // cannot fail: kv is shaped for the model
    }

    /**
     * A session over a forward pass that owns its KV storage and attention, such as tensor-parallel ranks
     * ({@code dev.gannet.runtime.parallel.TensorParallelForward}); its KV blocks 0, 1, 2, ... must hold
     * {@code maxContext} tokens in blocks of {@link #BLOCK_SIZE}. The session closes the forward pass.
     */
    public Session(BatchForward forward, int maxContext) {
        if (maxContext <= 0 || maxContext > forward.model().config().contextLength()) {
            throw new IllegalArgumentException("maxContext " + maxContext + " must be in [1, " + forward.model().config().contextLength() + "]");
        }
        this.attention = null;
        this.ownsAttention = false;
        this.kv = null;
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
        if (ownsAttention) attention.close();
        if (kv != null) kv.close();
    }
}
