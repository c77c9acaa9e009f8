package dev.gannet.runtime.cuda;

import dev.gannet.cuda.CudaLibraryPaths;
import dev.gannet.runtime.model.KvStorage;

/**
 * What a CUDA stack needs beyond the model: where (the first GPU's ordinal; rank r of a tensor-parallel group uses
 * {@code ordinal + r}, or the same GPU for every rank when {@code sameDevice}), how much of its memory, the KV
 * cache's element type and block size, the step limits, tuning, and where the CUDA libraries are.
 *
 * @param maxTokens most tokens of one step
 * @param maxLogits most logit rows of one step; also the most sequences of one step (the engine's max_running), at most maxTokens
 */
public record CudaOptions(int ordinal, int tp, boolean sameDevice, double memoryUtilization, KvStorage.Precision kvDtype,
                          int blockSize, int maxTokens, int maxLogits, CudaTuning tuning, CudaLibraryPaths paths) {
    public CudaOptions {
        if (ordinal < 0 || tp < 1) throw new IllegalArgumentException("cuda:" + ordinal + " with tp " + tp);
        if (!(memoryUtilization > 0 && memoryUtilization <= 1)) {
            throw new IllegalArgumentException("gpu_memory_utilization must be in (0, 1], got " + memoryUtilization);
        }
        if (kvDtype == null || tuning == null || paths == null) throw new IllegalArgumentException("kv dtype, tuning and paths must be set");
        if (blockSize < 1 || Integer.bitCount(blockSize) != 1 || maxTokens < 1 || maxLogits < 1 || maxLogits > maxTokens) {
            throw new IllegalArgumentException("block size " + blockSize + ", max tokens " + maxTokens + ", max logits " + maxLogits);
        }
    }

    /** The same with other tuning. */
    public CudaOptions with(CudaTuning t) {
        return new CudaOptions(ordinal, tp, sameDevice, memoryUtilization, kvDtype, blockSize, maxTokens, maxLogits, t, paths);
    }

    /** The device ordinal of rank {@code r}. */
    public int ordinalOf(int r) {
        return sameDevice ? ordinal : ordinal + r;
    }
}
