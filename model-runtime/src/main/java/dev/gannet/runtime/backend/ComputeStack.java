package dev.gannet.runtime.backend;

import dev.gannet.runtime.model.BatchForward;

/**
 * A built compute stack: the forward pass the engine's runner calls, owning its weights' device copies, kernels,
 * KV storage and (under tensor parallelism) ranks and communicator. Closing it closes all of them.
 *
 * @param forward   the one forward pass
 * @param numBlocks KV blocks it stores (block 0, the null block, included): the engine's block pool
 * @param device    where it runs
 * @param threads   CPU compute threads it uses
 * @param sharding  how the model is split, for the start-up line and /v1/models
 */
public record ComputeStack(BatchForward forward, int numBlocks, Device device, int threads, String sharding)
        implements AutoCloseable {
    @Override
    public void close() {
        forward.close();
    }
}
