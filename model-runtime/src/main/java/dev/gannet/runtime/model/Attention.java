package dev.gannet.runtime.model;

/**
 * Causal multi-head attention (GQA) over the paged KV cache. Token t of sequence s, at position p,
 * attends to positions [0, p] of s, whose K/V are read through s's block table (so prefix blocks
 * cached by earlier steps count as well as this chunk's tokens, which must already be written).
 * Implementations: {@link ReferenceAttention} (the oracle) and {@link VectorAttention} (fast).
 * One thread (the engine's) calls {@link #attend}; implementations may fan out internally.
 */
public interface Attention extends AutoCloseable {

    /**
     * @param tokenSeq (numTokens) index of each token's sequence in the batch
     * @param q        (numTokens, numHeads * headDim) f32, RoPE applied
     * @param out      (numTokens, numHeads * headDim) f32, written
     */
    void attend(ForwardBatch batch, int[] tokenSeq, float[] q, KvStorage kv, int layer, float[] out);

    @Override
    void close();
}
