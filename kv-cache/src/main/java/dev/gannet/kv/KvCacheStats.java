package dev.gannet.kv;

/**
 * Snapshot of KV block usage and prefix-cache counters.
 *
 * @param usableBlocks  blocks that can be handed out (all but the null block)
 * @param usedBlocks    blocks held by at least one sequence
 * @param freeBlocks    blocks with ref count zero, cached ones included
 * @param cachedBlocks  blocks findable in the prefix cache (in use or free)
 * @param lookups       admitted sequences whose prefix was looked up
 * @param queryTokens   tokens of those sequences
 * @param hitTokens     of those, tokens served from the cache
 * @param evictions     cached blocks evicted for reuse
 */
public record KvCacheStats(int usableBlocks, int usedBlocks, int freeBlocks, int cachedBlocks,
                           long lookups, long queryTokens, long hitTokens, long evictions) {
    public KvCacheStats {
        if (usedBlocks < 0 || freeBlocks < 0 || usedBlocks + freeBlocks != usableBlocks) {
            throw new IllegalArgumentException("used " + usedBlocks + " + free " + freeBlocks
                    + " != usable " + usableBlocks);
        }
        if (cachedBlocks < 0 || cachedBlocks > usableBlocks || hitTokens > queryTokens) {
            throw new IllegalArgumentException("inconsistent cache counters: cached=" + cachedBlocks
                    + " hits=" + hitTokens + " queries=" + queryTokens);
        }
    }

    /** Fraction of queried tokens served from the prefix cache, 0 when nothing was queried. */
    public double hitRate() {
        return queryTokens == 0 ? 0.0 : (double) hitTokens / queryTokens;
    }
}
