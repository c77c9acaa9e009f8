package dev.gannet.runtime.sampler;

/**
 * Scratch arrays sized to the vocabulary, allocated once and reused by every {@link Sampler} that is
 * given it. Not thread-safe: share one per engine thread, which samples one sequence at a time.
 */
public final class SamplerWorkspace {
    final int vocabSize;
    final float[] val; // (vocab) candidate logits or weights
    final int[] idx;   // (vocab) candidate token ids
    final float[] raw; // (vocab) unprocessed logits, kept for logprobs

    public SamplerWorkspace(int vocabSize) {
        if (vocabSize <= 0) throw new IllegalArgumentException("vocabSize " + vocabSize);
        this.vocabSize = vocabSize;
        this.val = new float[vocabSize];
        this.idx = new int[vocabSize];
        this.raw = new float[vocabSize];
    }

    public int vocabSize() { return vocabSize; }
}
