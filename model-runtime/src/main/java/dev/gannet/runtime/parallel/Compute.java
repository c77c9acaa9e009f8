package dev.gannet.runtime.parallel;

import dev.gannet.runtime.kernel.CpuKernels;
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
    VECTOR,
    /** As VECTOR, with the matmuls in the native kernel library where it covers the weight type. */
    NATIVE;

    /** The tensor-parallel counterpart of a single-rank choice of matmul kernels. */
    public static Compute of(CpuKernels kernels) {
        return switch (kernels) {
            case NATIVE -> NATIVE;
            case VECTOR -> VECTOR;
        };
    }

    Kernels kernels(int threads) {
        return switch (this) {
            case REFERENCE -> new ReferenceKernels();
            case VECTOR -> new VectorKernels(threads);
            case NATIVE -> new VectorKernels(threads, CpuKernels.NATIVE);
        };
    }

    /** Attention over one rank's heads: {@code heads} query heads sharing {@code kvHeads} KV heads. */
    Attention attention(int heads, int kvHeads, int headDim, int maxContext, int threads) {
        return switch (this) {
            case REFERENCE -> new ReferenceAttention(heads, kvHeads, headDim);
            case VECTOR, NATIVE -> new VectorAttention(heads, kvHeads, headDim, maxContext, threads, 256);
        };
    }
}
