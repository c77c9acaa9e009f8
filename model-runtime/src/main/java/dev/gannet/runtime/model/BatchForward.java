package dev.gannet.runtime.model;

/**
 * One step of the decoder over a ragged batch, as the engine's runner sees it: {@link ForwardPass} on one
 * set of threads, or {@code dev.gannet.runtime.parallel.TensorParallelForward} over tensor-parallel ranks.
 * Called by one thread (the engine's).
 */
public interface BatchForward extends AutoCloseable {

    Model model();

    /** Most tokens one batch may hold. */
    int maxTokens();

    /** Most logit rows one batch may ask for. */
    int maxLogits();

    /**
     * Writes the K/V of every token of the batch to its slot and returns the logits of the rows in
     * {@code batch.logitIndices()}, as (numLogits, vocab) f32 at the start of a buffer reused by the next call.
     */
    float[] forward(ForwardBatch batch);

    @Override
    void close();
}
