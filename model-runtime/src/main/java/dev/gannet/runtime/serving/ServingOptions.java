package dev.gannet.runtime.serving;

import dev.gannet.runtime.kernel.CpuKernels;
import dev.gannet.runtime.model.KvStorage;

/**
 * How to run a model for serving.
 *
 * @param threads           compute threads (0 = all cores)
 * @param kvCacheBytes      budget for KV block storage
 * @param blockSize         tokens per KV block
 * @param maxBatchTokens    token budget of one step (sizes the activation buffers)
 * @param maxRunning        sequences in one step at most
 * @param maxModelLen       context cap; 0 = the model's context length
 * @param enablePrefixCaching reuse KV of identical prompt prefixes
 * @param tp                tensor-parallel ranks (thread groups in this process); 1 = no sharding
 * @param kvDtype           element type of the KV cache (Q8_0: about 3.6x the tokens per byte)
 * @param cpuKernels        which code runs the matmuls (native library where available, or the Vector API)
 */
public record ServingOptions(int threads, long kvCacheBytes, int blockSize, int maxBatchTokens, int maxRunning,
                             int maxModelLen, boolean enablePrefixCaching, int tp, KvStorage.Precision kvDtype,
                             CpuKernels cpuKernels) {
    public ServingOptions {
        if (kvDtype == null) throw new IllegalArgumentException("kv cache dtype must be set");
        if (cpuKernels == null) throw new IllegalArgumentException("cpu kernels must be set");
        if (tp < 1) throw new IllegalArgumentException("tp must be >= 1, got " + tp);
        if (threads < 0) throw new IllegalArgumentException("threads must be >= 0, got " + threads);
        if (kvCacheBytes <= 0) throw new IllegalArgumentException("kv cache memory must be > 0, got " + kvCacheBytes);
        if (blockSize < 1 || Integer.bitCount(blockSize) != 1) throw new IllegalArgumentException("block size must be a power of two, got " + blockSize);
        if (maxRunning < 1) throw new IllegalArgumentException("max running must be >= 1, got " + maxRunning);
        if (maxBatchTokens < maxRunning) {
            throw new IllegalArgumentException("max batch tokens (" + maxBatchTokens + ") must be >= max running (" + maxRunning + ")");
        }
        if (maxModelLen < 0) throw new IllegalArgumentException("max model len must be >= 0, got " + maxModelLen);
    }

    /** Native matmul kernels where available. */
    public ServingOptions(int threads, long kvCacheBytes, int blockSize, int maxBatchTokens, int maxRunning,
                          int maxModelLen, boolean enablePrefixCaching, int tp, KvStorage.Precision kvDtype) {
        this(threads, kvCacheBytes, blockSize, maxBatchTokens, maxRunning, maxModelLen, enablePrefixCaching, tp, kvDtype, CpuKernels.NATIVE);
    }

    /** An f32 KV cache. */
    public ServingOptions(int threads, long kvCacheBytes, int blockSize, int maxBatchTokens, int maxRunning,
                          int maxModelLen, boolean enablePrefixCaching, int tp) {
        this(threads, kvCacheBytes, blockSize, maxBatchTokens, maxRunning, maxModelLen, enablePrefixCaching, tp, KvStorage.Precision.F32);
    }

    /** A plain (tp 1) service: the common case. */
    public ServingOptions(int threads, long kvCacheBytes, int blockSize, int maxBatchTokens, int maxRunning,
                          int maxModelLen, boolean enablePrefixCaching) {
        this(threads, kvCacheBytes, blockSize, maxBatchTokens, maxRunning, maxModelLen, enablePrefixCaching, 1);
    }

    /** Defaults for tests and the CLI: all cores, 256 MiB of KV, 16-token blocks, 512-token steps, 64 sequences. */
    public static ServingOptions defaults() {
        return new ServingOptions(0, 256L << 20, 16, 512, 64, 0, true, 1, KvStorage.Precision.F32, CpuKernels.NATIVE);
    }
}
