package dev.gannet.runtime.backend;

import dev.gannet.runtime.model.CpuCompute;
import dev.gannet.runtime.model.KvStorage;

/**
 * What {@link ForwardFactory} needs to build a compute stack.
 *
 * @param device         where it runs
 * @param cpuCompute     which CPU kernels (the CPU device, and host-side work of others)
 * @param threads        CPU compute threads in all; 0 = every core
 * @param tp             tensor-parallel ranks (thread groups on the CPU, one GPU each on CUDA)
 * @param kvCacheBytes   memory for the paged KV cache (CPU); the blocks it holds are {@link ComputeStack#numBlocks}
 * @param kvDtype        element type of the KV cache
 * @param blockSize      tokens per KV block
 * @param maxBatchTokens most tokens of one step (sizes the activation buffers)
 * @param maxLogits      most logit rows of one step (the most sequences scheduled together)
 */
public record ComputeOptions(Device device, CpuCompute cpuCompute, int threads, int tp, long kvCacheBytes,
                             KvStorage.Precision kvDtype, int blockSize, int maxBatchTokens, int maxLogits) {
    public ComputeOptions {
        if (device == null || cpuCompute == null || kvDtype == null) {
            throw new IllegalArgumentException("device, cpu compute and kv cache dtype must be set");
        }
        if (tp < 1) throw new IllegalArgumentException("tp must be >= 1, got " + tp);
        if (threads < 0) throw new IllegalArgumentException("threads must be >= 0, got " + threads);
        if (kvCacheBytes <= 0) throw new IllegalArgumentException("kv cache memory must be > 0, got " + kvCacheBytes);
        if (blockSize < 1 || Integer.bitCount(blockSize) != 1) {
            throw new IllegalArgumentException("block size must be a power of two, got " + blockSize);
        }
        if (maxBatchTokens < 1 || maxLogits < 1) {
            throw new IllegalArgumentException("max batch tokens " + maxBatchTokens + " and max logits " + maxLogits + " must be >= 1");
        }
    }

    /** CPU threads to use: as given, or every core. */
    public int resolvedThreads() {
        return threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
    }
}
