package dev.gannet.runtime.parallel;

import dev.gannet.runtime.kernel.Kernels;
import dev.gannet.runtime.kernel.ReferenceKernels;
import dev.gannet.runtime.kernel.VectorKernels;
import dev.gannet.runtime.model.Attention;
import dev.gannet.runtime.model.ReferenceAttention;
import dev.gannet.runtime.model.VectorAttention;

/** The CPU kernels and attention each tensor-parallel rank computes with. */
public enum Compute {
    /** Plain-Java oracles, single-threaded per rank. */
    REFERENCE,
    /** Vector API kernels and attention on the rank's share of the threads. */
    VECTOR;

    Kernels kernels(int threads) {
        return switch (this) {
            case REFERENCE -> new ReferenceKernels();
            case VECTOR -> new VectorKernels(threads);
        };
    }

    /** Attention over one rank's heads: {@code heads} query heads sharing {@code kvHeads} KV heads. */
    Attention attention(int heads, int kvHeads, int headDim, int maxContext, int threads) {
        return switch (this) {
            case REFERENCE -> new ReferenceAttention(heads, kvHeads, headDim);
            case VECTOR -> new VectorAttention(heads, kvHeads, headDim, maxContext, threads, 256);
        };
    }
}
