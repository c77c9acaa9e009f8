package dev.gannet.runtime.cuda;

import java.util.ArrayList;
import java.util.List;

/**
 * Which captured CUDA graph replays a decode step: one graph per (batch bucket, context bucket). A step of
 * {@code n} one-token sequences is padded to the smallest batch bucket >= n (padding rows write no KV: slot -1,
 * and attend to one token of the null block) and its longest context is rounded up to a power of two (at least
 * {@link DecodeSplit#MIN_PARTITION_TOKENS}), which fixes the decode split baked into the graph. Steps larger than
 * the largest bucket, prefill chunks and mixed steps run eagerly (the same kernels, launched one by one).
 *
 * @param batches      ascending batch buckets
 * @param maxContext   the model's context length (the last context bucket is capped there)
 */
public record GraphBuckets(List<Integer> batches, int maxContext) {
    public GraphBuckets {
        batches = List.copyOf(batches);
        if (batches.isEmpty() || maxContext < 1) throw new IllegalArgumentException("graph buckets " + batches + ", context " + maxContext);
        for (int i = 0; i < batches.size(); i++) {
            if (batches.get(i) < 1 || (i > 0 && batches.get(i) <= batches.get(i - 1))) {
                throw new IllegalArgumentException("graph batch buckets must ascend from >= 1: " + batches);
            }
        }
    }

    /**
     * 1, 2, 4, 8, ... doubling while below {@code top = min(maxRunning, cap)}, then {@code top} itself (vLLM captures a
     * similar ladder): never more sequences than the step buffers hold.
     */
    public static GraphBuckets forLimits(int maxRunning, int cap, int maxContext) {
        if (maxRunning < 1 || cap < 1) throw new IllegalArgumentException("maxRunning " + maxRunning + ", cap " + cap);
        int top = Math.min(maxRunning, cap);
        List<Integer> b = new ArrayList<>();
        for (int s = 1; s < top; s *= 2) b.add(s);
        b.add(top);
        return new GraphBuckets(b, maxContext);
    }

    /** The batch bucket for {@code n} sequences, or -1 when n exceeds the largest (the step runs eagerly). */
    public int batchBucket(int n) {
        if (n < 1) throw new IllegalArgumentException("batch of " + n);
        for (int b : batches) if (b >= n) return b;
        return -1;
    }

    /** The context bucket for a longest context of {@code tokens}: a power of two >= 256, capped at the model's. */
    public int contextBucket(int tokens) {
        if (tokens < 1) throw new IllegalArgumentException("context of " + tokens);
        int c = Math.max(DecodeSplit.MIN_PARTITION_TOKENS, Integer.highestOneBit(Math.max(1, tokens - 1)) << 1);
        return Math.min(c, Math.max(tokens, maxContext));
    }

    public int largestBatch() {
        return batches.getLast();
    }
}
