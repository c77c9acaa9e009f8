package dev.gannet.kv;

/**
 * Block allocation for sequences, with prefix reuse: the one entry point the scheduler uses.
 *
 * <p>Admission of a sequence that holds no blocks:
 * <pre>
 *   int cached = kv.findCachedPrefix(table, tokens, numTokens); // no state change yet
 *   int chunk  = min(numTokens - cached, budget);
 *   if (kv.canAllocate(table, cached + chunk)) kv.allocate(table, cached + chunk); // commits the hits
 * </pre>
 * A running sequence calls {@code canAllocate}/{@code allocate} with its new total token count;
 * after a step computed tokens, {@link #cacheFullBlocks} publishes newly full blocks; {@link #free}
 * releases everything. Nothing may change the pool between a lookup and its allocate.
 *
 * <p>Not thread-safe: owned by the engine thread.
 */
public final class KvCacheManager {
    private final KvBlockPool pool;
    private final PrefixCache cache;   // null when prefix caching is off
    private final BlockHasher hasher;  // null when prefix caching is off
    private final int blockSize;

    /** @param numBlocks total blocks including the null block */
    public KvCacheManager(int numBlocks, int blockSize, boolean enablePrefixCaching) {
        this.pool = new KvBlockPool(numBlocks, blockSize, enablePrefixCaching);
        this.cache = pool.prefixCache();
        this.hasher = enablePrefixCaching ? new BlockHasher(blockSize) : null;
        this.blockSize = blockSize;
    }

    public KvBlockPool pool() {
        return pool;
    }

    public int blockSize() {
        return blockSize;
    }

    public boolean prefixCachingEnabled() {
        return cache != null;
    }

    /** Most tokens one sequence can ever hold: every usable block. */
    public int maxTokensPerSequence() {
        return pool.usableBlocks() * blockSize;
    }

    public BlockTable newBlockTable(long cacheKey) {
        return new BlockTable(blockSize, cacheKey);
    }

    /**
     * Finds the longest run of cached full blocks at the start of {@code tokens[0, numTokens)},
     * leaving at least one token to compute (its logits are needed). The hits stay pending in the
     * table until {@link #allocate}. Returns the number of cached tokens (whole blocks).
     */
    public int findCachedPrefix(BlockTable table, int[] tokens, int numTokens) {
        if (table.numBlocks() != 0) {
            throw new IllegalStateException("prefix lookup for a table that already holds "
                    + table.numBlocks() + " blocks");
        }
        checkTokens(tokens, numTokens);
        if (cache == null) {
            table.setPendingHits(0, 0);
            return 0;
        }
        int maxBlocks = (numTokens - 1) / blockSize;
        hashUpTo(table, tokens, maxBlocks);
        int hits = 0;
        while (hits < maxBlocks) {
            int block = cache.find(table.hashes(), hits, table.cacheKey(), tokens);
            if (block < 0) {
                break;
            }
            table.setPendingHit(hits, block);
            hits++;
        }
        table.setPendingHits(hits, numTokens);
        return hits * blockSize;
    }

    /** Whether {@link #allocate} can give the table slots for {@code totalTokens} positions. */
    public boolean canAllocate(BlockTable table, int totalTokens) {
        return pool.numFreeBlocks() - revivedHits(table) >= newBlocksNeeded(table, totalTokens);
    }

    /**
     * Gives the table slots for positions {@code [0, totalTokens)}: first commits a pending
     * prefix lookup (those blocks gain a holder), then appends fresh blocks from the free queue.
     *
     * @throws IllegalStateException when {@link #canAllocate} is false
     */
    public void allocate(BlockTable table, int totalTokens) {
        if (!canAllocate(table, totalTokens)) {
            throw new IllegalStateException("not enough free KV blocks for " + totalTokens + " tokens: need "
                    + newBlocksNeeded(table, totalTokens) + ", free " + (pool.numFreeBlocks() - revivedHits(table)));
        }
        int hits = table.pendingHits();
        if (hits > 0 || table.lookupTokens() > 0) {
            commitHits(table, hits);
        }
        int needed = ceilDiv(totalTokens, blockSize);
        while (table.numBlocks() < needed) {
            table.append(pool.allocate());
        }
        table.setNumTokens(Math.max(table.numTokens(), totalTokens));
    }

    /**
     * Publishes the table's blocks that are now full of computed tokens to the prefix cache.
     * Call after the step that computed them, so a hit never reads KV not yet written.
     */
    public void cacheFullBlocks(BlockTable table, int[] tokens, int numComputedTokens) {
        if (cache == null) {
            return;
        }
        int full = Math.min(numComputedTokens, table.numTokens()) / blockSize;
        if (full <= table.numRegistered()) {
            return;
        }
        checkTokens(tokens, full * blockSize);
        hashUpTo(table, tokens, full);
        int[] blocks = table.rawBlocks();
        for (int i = table.numRegistered(); i < full; i++) {
            cache.register(blocks[i], table.hashes(), i, table.cacheKey(), tokens);
        }
        table.setNumRegistered(full);
    }

    /** Releases all blocks of the table, last block first so a sequence's tail is evicted first. */
    public void free(BlockTable table) {
        int[] blocks = table.rawBlocks();
        for (int i = table.numBlocks() - 1; i >= 0; i--) {
            pool.release(blocks[i]);
        }
        table.clearBlocks();
    }

    public KvCacheStats stats() {
        return new KvCacheStats(pool.usableBlocks(), pool.numUsedBlocks(), pool.numFreeBlocks(),
                pool.numCachedBlocks(),
                cache == null ? 0 : cache.lookups(), cache == null ? 0 : cache.queryTokens(),
                cache == null ? 0 : cache.hitTokens(), cache == null ? 0 : cache.evictions());
    }

    private void commitHits(BlockTable table, int hits) {
        int[] blocks = table.rawBlocks();
        for (int i = 0; i < hits; i++) {
            int block = blocks[i];
            if (!cache.isCached(block) || cache.hashHi(block) != table.hashes()[2 * i]) {
                throw new IllegalStateException("stale prefix lookup: block " + block
                        + " changed between findCachedPrefix and allocate");
            }
        }
        for (int i = 0; i < hits; i++) {
            pool.retain(blocks[i]);
            table.append(blocks[i]); // same slot: the pending ids already sit at index i
        }
        cache.recordAdmission(table.lookupTokens(), hits * blockSize);
        table.setNumRegistered(hits);
        table.setNumTokens(hits * blockSize);
        table.setPendingHits(0, 0);
    }

    private int newBlocksNeeded(BlockTable table, int totalTokens) {
        if (totalTokens < 0) {
            throw new IllegalArgumentException("totalTokens must be >= 0, got " + totalTokens);
        }
        return Math.max(0, ceilDiv(totalTokens, blockSize) - table.numBlocks() - table.pendingHits());
    }

    /** Pending hits on free blocks: taking them removes them from the free queue. */
    private int revivedHits(BlockTable table) {
        int[] blocks = table.rawBlocks();
        int n = 0;
        for (int i = 0; i < table.pendingHits(); i++) {
            if (pool.refCount(blocks[table.numBlocks() + i]) == 0) {
                n++;
            }
        }
        return n;
    }

    private void hashUpTo(BlockTable table, int[] tokens, int numFullBlocks) {
        long[] hashes = table.hashesFor(numFullBlocks);
        for (int i = table.numHashed(); i < numFullBlocks; i++) {
            long parentHi = i == 0 ? BlockHasher.ROOT_HI : hashes[2 * i - 2];
            long parentLo = i == 0 ? BlockHasher.ROOT_LO : hashes[2 * i - 1];
            hasher.hash(parentHi, parentLo, table.cacheKey(), tokens, i * blockSize, hashes, i);
        }
        table.setNumHashed(Math.max(table.numHashed(), numFullBlocks));
    }

    private static void checkTokens(int[] tokens, int numTokens) {
        if (numTokens < 1 || numTokens > tokens.length) {
            throw new IllegalArgumentException("numTokens " + numTokens + " not in [1, " + tokens.length + "]");
        }
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
