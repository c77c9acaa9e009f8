package dev.gannet.runtime.backend;

import dev.gannet.runtime.cuda.DeviceMemory;
import dev.gannet.runtime.model.BatchForward;

/**
 * A built compute stack: the forward pass the engine's runner calls, owning its weights' device copies, kernels,
 * KV storage and (under tensor parallelism) ranks and communicator. Closing it closes all of them.
 *
 * @param forward      the one forward pass
 * @param numBlocks    KV blocks it stores (block 0, the null block, included): the engine's block pool
 * @param device       where it runs
 * @param threads      CPU compute threads it uses
 * @param sharding     how the model is split, for the start-up line and /v1/models
 * @param matmuls      what computes the matmuls, for the start-up line: the CPU kernels ("native avx512 (...)",
 *                     "vector", "reference") or the GPU
 * @param deviceMemory how a GPU stack uses device memory (for /metrics); null on the CPU
 */
public record ComputeStack(BatchForward forward, int numBlocks, Device device, int threads, String sharding,
                           String matmuls, DeviceMemory deviceMemory) implements AutoCloseable {
    /** A CPU stack: no device memory to report. */
    public ComputeStack(BatchForward forward, int numBlocks, Device device, int threads, String sharding, String matmuls) {
        this(forward, numBlocks, device, threads, sharding, matmuls, null);
    }

    @Override
    public void close() {
        forward.close();
    }
}
