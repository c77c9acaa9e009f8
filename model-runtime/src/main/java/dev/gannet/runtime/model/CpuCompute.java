package dev.gannet.runtime.model;

import dev.gannet.runtime.kernel.Kernels;
import dev.gannet.runtime.kernel.ReferenceKernels;
import dev.gannet.runtime.kernel.VectorKernels;

/** Which CPU kernels and attention a forward pass computes with ({@code cpu_kernels}). */
public enum CpuCompute {
    /** Plain-Java oracles, single-threaded: every fast kernel is tested against these. */
    REFERENCE,
    /** Vector API kernels on a pool of threads; attention shares the pool. */
    VECTOR;

    Kernels kernels(int threads) {
        return switch (this) {
            case REFERENCE -> new ReferenceKernels();
            case VECTOR -> new VectorKernels(threads);
        };
    }

    /** Attention over {@code heads} query heads sharing {@code kvHeads} KV heads, on the kernels' threads. */
    Attention attention(Kernels kernels, int heads, int kvHeads, int headDim, int maxContext) {
        return switch (this) {
            case REFERENCE -> new ReferenceAttention(heads, kvHeads, headDim);
            case VECTOR -> new VectorAttention(heads, kvHeads, headDim, maxContext, ((VectorKernels) kernels).pool());
        };
    }
}
