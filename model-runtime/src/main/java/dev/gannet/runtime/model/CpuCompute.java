package dev.gannet.runtime.model;

import dev.gannet.runtime.kernel.Kernels;
import dev.gannet.runtime.kernel.ReferenceKernels;
import dev.gannet.runtime.kernel.VectorKernels;
import java.util.Locale;

/** Which CPU kernels and attention a forward pass computes with (config key {@code cpu_kernels}). */
public enum CpuCompute {
    /** Plain-Java oracles, single-threaded: every fast kernel is tested against these. */
    REFERENCE,
    /** Vector API kernels on a pool of threads; attention shares the pool. */
    VECTOR,
    /**
     * As {@link #VECTOR}, with the matmuls in the native kernel library (C, built with the project, its variant
     * chosen per CPU: AVX-512 VNNI, AVX2 or scalar) where it covers the weight type; the Vector API does the rest,
     * and every matmul where the library was not built. The default of {@code serve} and {@code generate}.
     */
    NATIVE;

    Kernels kernels(int threads) {
        return switch (this) {
            case REFERENCE -> new ReferenceKernels();
            case VECTOR -> new VectorKernels(threads);
            case NATIVE -> VectorKernels.withNativeMatmuls(threads);
        };
    }

    /** Attention over {@code heads} query heads sharing {@code kvHeads} KV heads, on the kernels' threads. */
    Attention attention(Kernels kernels, int heads, int kvHeads, int headDim, int maxContext) {
        return switch (this) {
            case REFERENCE -> new ReferenceAttention(heads, kvHeads, headDim);
            case VECTOR, NATIVE -> new VectorAttention(heads, kvHeads, headDim, maxContext, ((VectorKernels) kernels).pool());
        };
    }

    /** What computes the matmuls on this machine, for the start-up log: "native avx512 (...)", "vector", "reference". */
    public String describe() {
        return switch (this) {
            case REFERENCE -> "reference";
            case VECTOR -> "vector";
            case NATIVE -> VectorKernels.describeNative();
        };
    }

    /** The config spelling: {@code reference}, {@code vector} or {@code native}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a config value ({@code native}, {@code vector} or {@code reference}, any case). */
    public static CpuCompute parse(String s) {
        for (CpuCompute c : values()) {
            if (c.name().equalsIgnoreCase(s)) return c;
        }
        throw new IllegalArgumentException("cpu kernels must be native, vector or reference, got '" + s + "'");
    }
}
