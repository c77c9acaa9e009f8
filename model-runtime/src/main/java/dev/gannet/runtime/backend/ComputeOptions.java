package dev.gannet.runtime.backend;

import dev.gannet.cuda.CudaLibraryPaths;
import dev.gannet.runtime.model.CpuCompute;
import dev.gannet.runtime.model.KvStorage;

/**
 * What {@link ForwardFactory} needs to build a compute stack.
 *
 * @param device               where it runs
 * @param cpuCompute           which CPU kernels (the CPU device, and host-side work of others)
 * @param threads              CPU compute threads in all; 0 = every core
 * @param tp                   tensor-parallel ranks (thread groups on the CPU, one GPU each on CUDA)
 * @param kvCacheBytes         memory for the paged KV cache on the CPU; the blocks it holds are {@link ComputeStack#numBlocks}.
 *                             A GPU ignores it (0 allowed there): its cache takes what {@code gpuMemoryUtilization} leaves
 * @param kvDtype              element type of the KV cache; {@link KvStorage.Precision#AUTO} is resolved per device
 * @param blockSize            tokens per KV block
 * @param maxBatchTokens       most tokens of one step (sizes the activation buffers)
 * @param maxLogits            most logit rows of one step (the most sequences scheduled together)
 * @param gpuMemoryUtilization share of each GPU's memory for weights, activations and KV cache ({@code gpu_memory_utilization})
 * @param cudaLibraries        where the CUDA libraries are looked for (built once by main from the environment)
 */
public record ComputeOptions(Device device, CpuCompute cpuCompute, int threads, int tp, long kvCacheBytes,
                             KvStorage.Precision kvDtype, int blockSize, int maxBatchTokens, int maxLogits,
                             double gpuMemoryUtilization, CudaLibraryPaths cudaLibraries) {
    /** vLLM's default share of GPU memory. */
    public static final double DEFAULT_GPU_MEMORY_UTILIZATION = 0.9;

    public ComputeOptions {
        if (device == null || cpuCompute == null || kvDtype == null || cudaLibraries == null) {
            throw new IllegalArgumentException("device, cpu compute, kv cache dtype and CUDA library paths must be set");
        }
        if (tp < 1) throw new IllegalArgumentException("tp must be >= 1, got " + tp);
        if (threads < 0) throw new IllegalArgumentException("threads must be >= 0, got " + threads);
        if (kvCacheBytes < 0 || (kvCacheBytes == 0 && device.kind() == Device.Kind.CPU)) {
            throw new IllegalArgumentException("kv cache memory must be > 0, got " + kvCacheBytes);
        }
        if (blockSize < 1 || Integer.bitCount(blockSize) != 1) {
            throw new IllegalArgumentException("block size must be a power of two, got " + blockSize);
        }
        if (maxBatchTokens < 1 || maxLogits < 1) {
            throw new IllegalArgumentException("max batch tokens " + maxBatchTokens + " and max logits " + maxLogits + " must be >= 1");
        }
        if (!(gpuMemoryUtilization > 0 && gpuMemoryUtilization <= 1)) {
            throw new IllegalArgumentException("gpu memory utilization must be in (0, 1], got " + gpuMemoryUtilization);
        }
    }

    /** The default GPU share and library search (the system loader only): what CPU callers and tests need. */
    public ComputeOptions(Device device, CpuCompute cpuCompute, int threads, int tp, long kvCacheBytes,
                          KvStorage.Precision kvDtype, int blockSize, int maxBatchTokens, int maxLogits) {
        this(device, cpuCompute, threads, tp, kvCacheBytes, kvDtype, blockSize, maxBatchTokens, maxLogits,
                DEFAULT_GPU_MEMORY_UTILIZATION, CudaLibraryPaths.none());
    }

    /** CPU threads to use: as given, or every core. */
    public int resolvedThreads() {
        return threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
    }
}
