package dev.gannet.runtime.serving;

import dev.gannet.runtime.backend.ComputeOptions;
import dev.gannet.runtime.backend.Device;
import dev.gannet.runtime.engine.EngineConfig;
import dev.gannet.runtime.model.CpuCompute;
import dev.gannet.runtime.model.KvStorage;

/**
 * How to serve a model: the compute stack to build, and the engine's limits.
 *
 * @param compute             device, kernels, threads, tensor parallelism, KV budget and step sizes
 * @param maxRunning          sequences in one step at most
 * @param maxModelLen         context cap; 0 = the model's context length
 * @param enablePrefixCaching reuse KV of identical prompt prefixes
 * @param maxStepNanos        step-time budget while sequences decode ({@link EngineConfig#maxStepNanos()})
 */
public record ServingOptions(ComputeOptions compute, int maxRunning, int maxModelLen, boolean enablePrefixCaching,
                             long maxStepNanos) {
    public ServingOptions {
        if (compute == null) throw new IllegalArgumentException("compute options must be set");
        if (maxRunning < 1) throw new IllegalArgumentException("max running must be >= 1, got " + maxRunning);
        if (compute.maxBatchTokens() < maxRunning) {
            throw new IllegalArgumentException("max batch tokens (" + compute.maxBatchTokens() + ") must be >= max running ("
                    + maxRunning + ")");
        }
        if (compute.maxLogits() < maxRunning) {
            throw new IllegalArgumentException("the forward pass's logit rows (" + compute.maxLogits()
                    + ") must be >= max running (" + maxRunning + ")");
        }
        if (maxModelLen < 0) throw new IllegalArgumentException("max model len must be >= 0, got " + maxModelLen);
        if (maxStepNanos < EngineConfig.STEP_BUDGET_AUTO) {
            throw new IllegalArgumentException("max step nanos must be >= 0 or auto, got " + maxStepNanos);
        }
    }

    /** Without a step-time budget (prefill chunks up to max batch tokens): tests and the one-shot CLI. */
    public ServingOptions(ComputeOptions compute, int maxRunning, int maxModelLen, boolean enablePrefixCaching) {
        this(compute, maxRunning, maxModelLen, enablePrefixCaching, EngineConfig.STEP_BUDGET_OFF);
    }

    /** The CPU with Vector API kernels, {@code tp} ranks, a KV cache in {@code kvDtype}. */
    public ServingOptions(int threads, long kvCacheBytes, int blockSize, int maxBatchTokens, int maxRunning,
                          int maxModelLen, boolean enablePrefixCaching, int tp, KvStorage.Precision kvDtype) {
        this(new ComputeOptions(Device.CPU, CpuCompute.VECTOR, threads, tp, kvCacheBytes, kvDtype, blockSize, maxBatchTokens,
                maxRunning), maxRunning, maxModelLen, enablePrefixCaching);
    }

    /** As above with an f32 KV cache. */
    public ServingOptions(int threads, long kvCacheBytes, int blockSize, int maxBatchTokens, int maxRunning,
                          int maxModelLen, boolean enablePrefixCaching, int tp) {
        this(threads, kvCacheBytes, blockSize, maxBatchTokens, maxRunning, maxModelLen, enablePrefixCaching, tp, KvStorage.Precision.F32);
    }

    /** As above, one rank. */
    public ServingOptions(int threads, long kvCacheBytes, int blockSize, int maxBatchTokens, int maxRunning,
                          int maxModelLen, boolean enablePrefixCaching) {
        this(threads, kvCacheBytes, blockSize, maxBatchTokens, maxRunning, maxModelLen, enablePrefixCaching, 1);
    }

    /** Defaults for tests and the CLI: all cores, 256 MiB of KV, 16-token blocks, 512-token steps, 64 sequences. */
    public static ServingOptions defaults() {
        return new ServingOptions(0, 256L << 20, 16, 512, 64, 0, true, 1, KvStorage.Precision.F32);
    }

    public int blockSize() { return compute.blockSize(); }

    public int maxBatchTokens() { return compute.maxBatchTokens(); }
}
