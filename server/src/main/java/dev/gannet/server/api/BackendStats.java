package dev.gannet.server.api;

/**
 * A snapshot of the scheduler. The first three are gauges; the last three are cumulative
 * counters since start (monotonic), exported as Prometheus counters.
 *
 * @param running             sequences in the running batch (vLLM's num_requests_running)
 * @param waiting             sequences queued, not yet scheduled (vLLM's num_requests_waiting); running ones never
 *                            count here
 * @param waitingTokens       what the waiting sequences may cost in tokens: prompt plus what they may generate
 * @param kvCacheUsage        fraction of KV blocks in use, 0..1
 * @param prefixCacheQueries  prompt tokens looked up in the prefix cache
 * @param prefixCacheHits     of those, tokens found cached
 * @param preemptions         sequences preempted (KV evicted, to be recomputed)
 * @param gpu                 device memory of a GPU backend; null on the CPU
 */
public record BackendStats(int running, int waiting, long waitingTokens, double kvCacheUsage,
                           long prefixCacheQueries, long prefixCacheHits, long preemptions, GpuMemory gpu) {
    /**
     * A GPU backend's device memory in bytes, fixed once it is built.
     *
     * @param total       memory of the GPUs used
     * @param used        what Gannet allocated: weights + KV cache + activations
     */
    public record GpuMemory(long total, long used, long weights, long kvCache, long activations) {}

    /** A backend without a GPU. */
    public BackendStats(int running, int waiting, long waitingTokens, double kvCacheUsage, long prefixCacheQueries,
                        long prefixCacheHits, long preemptions) {
        this(running, waiting, waitingTokens, kvCacheUsage, prefixCacheQueries, prefixCacheHits, preemptions, null);
    }

    public BackendStats {
        if (running < 0 || waiting < 0 || waitingTokens < 0) {
            throw new IllegalArgumentException("running/waiting must be >= 0: " + running + "/" + waiting);
        }
        if (!(kvCacheUsage >= 0 && kvCacheUsage <= 1)) {
            throw new IllegalArgumentException("kvCacheUsage must be in [0,1], got " + kvCacheUsage);
        }
        if (prefixCacheQueries < 0 || prefixCacheHits < 0 || preemptions < 0) {
            throw new IllegalArgumentException("counters must be >= 0");
        }
    }

    public static BackendStats idle() {
        return new BackendStats(0, 0, 0, 0, 0, 0, 0);
    }
}
