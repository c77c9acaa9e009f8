package dev.gannet.runtime.cuda;

/**
 * How one GPU's memory is shared out, vLLM's way: of {@code utilization * total}, what other processes and the
 * CUDA context already hold ({@code total - freeAtStart}) comes off first, then the weights, the step's
 * activation buffers and workspaces, and a fixed reserve (cuBLAS, CUDA graphs); the rest is the paged KV cache,
 * in whole blocks. Pure arithmetic, decided before anything large is allocated, so that a model that cannot fit
 * fails with one line instead of an out-of-memory error halfway through the upload.
 *
 * @param total        device memory in bytes
 * @param freeAtStart  free bytes when the backend started (context created, nothing of ours allocated)
 * @param utilization  share of {@code total} Gannet may fill ({@code gpu_memory_utilization}), in (0, 1]
 * @param weights      bytes of the uploaded weights
 * @param activations  bytes of the step buffers and workspaces
 * @param reserve      bytes kept back for cuBLAS and CUDA graphs
 * @param blockBytes   bytes one KV block takes (K and V, every layer, scales included)
 */
public record CudaMemoryPlan(long total, long freeAtStart, double utilization, long weights, long activations,
                             long reserve, long blockBytes) {
    /** Kept back for cuBLAS's own workspace, graph instantiation and allocator slack. */
    public static final long DEFAULT_RESERVE = 256L << 20;

    public CudaMemoryPlan {
        if (total <= 0 || freeAtStart < 0 || freeAtStart > total) {
            throw new IllegalArgumentException("device memory: " + freeAtStart + " free of " + total);
        }
        if (!(utilization > 0 && utilization <= 1)) {
            throw new IllegalArgumentException("gpu_memory_utilization must be in (0, 1], got " + utilization);
        }
        if (weights < 0 || activations < 0 || reserve < 0 || blockBytes <= 0) {
            throw new IllegalArgumentException("memory sizes must be >= 0 (block bytes > 0)");
        }
    }

    /** Bytes Gannet may use: the utilization share less what others hold already. */
    public long budget() {
        return (long) (utilization * total) - (total - freeAtStart);
    }

    /** Bytes left for the KV cache (negative when the rest does not even fit). */
    public long kvBytes() {
        return budget() - weights - activations - reserve;
    }

    /** Whole KV blocks the cache gets (block 0, the null block, included). */
    public int kvBlocks() {
        long kv = kvBytes();
        return kv <= 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, kv / blockBytes);
    }

    /**
     * Throws, with one line naming every figure, when the weights do not fit or fewer than two KV blocks remain.
     *
     * @param device how the device is named in the message, e.g. "cuda:0 (NVIDIA H100 80GB HBM3)"
     */
    public void check(String device) {
        if (kvBlocks() >= 2) return;
        String what = budget() - weights < 0
                ? "the weights alone do not fit" : "fewer than 2 KV blocks of " + mib(blockBytes) + " remain";
        throw new IllegalArgumentException(String.format(
                "device %s: %s: gpu_memory_utilization %.2f of %s is %s, %s already in use by others, weights %s, "
                        + "activations %s, reserve %s; raise gpu_memory_utilization, lower max_batch_tokens or use a smaller model",
                device, what, utilization, gib(total), gib((long) (utilization * total)), gib(total - freeAtStart),
                gib(weights), gib(activations), gib(reserve)));
    }

    /** One line for the start-up log. */
    public String describe() {
        return String.format("weights %s, activations %s, KV cache %s (%d blocks), reserve %s, of %s x %.2f (%s in use by others)",
                gib(weights), gib(activations), gib(Math.max(0, kvBlocks() * blockBytes)), kvBlocks(), gib(reserve), gib(total),
                utilization, gib(total - freeAtStart));
    }

    static String gib(long bytes) {
        return String.format("%.2f GiB", bytes / (double) (1L << 30));
    }

    static String mib(long bytes) {
        return String.format("%.2f MiB", bytes / (double) (1L << 20));
    }
}
