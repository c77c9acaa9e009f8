package dev.gannet.runtime.kernel;

import java.util.Locale;

/** Which code computes the CPU matmuls (config key {@code cpu_kernels}). The small ops are Vector API either way. */
public enum CpuKernels {
    /**
     * The native kernel library (C, built with the project, chosen per CPU: AVX-512 VNNI, AVX2 or scalar);
     * weight types it does not cover, and every matmul where the library was not built, take the Vector API.
     */
    NATIVE,
    /** The Java Vector API kernels only. */
    VECTOR;

    /** {@code native} or {@code vector}, any case. */
    public static CpuKernels parse(String s) {
        for (CpuKernels k : values()) {
            if (k.name().equalsIgnoreCase(s)) return k;
        }
        throw new IllegalArgumentException("cpu kernels '" + s + "': use native or vector");
    }

    /** The config spelling. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
