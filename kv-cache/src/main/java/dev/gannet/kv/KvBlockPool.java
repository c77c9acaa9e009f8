package dev.gannet.kv;

/**
 * A fixed set of KV block ids with ref counts and a free queue kept in eviction order. Holds
 * ids, ref counts and (through {@link PrefixCache}) hashes, never KV bytes.
 *
 * <p>Block {@link #NULL_BLOCK} is reserved (padding in block tables) and never handed out.
 * A block whose ref count drops to zero goes back to the free queue: to the TAIL if it is in the
 * prefix cache (kept as long as possible, least recently freed evicted first), to the HEAD if it
 * holds nothing reusable (so empty blocks are reused before any cached one is evicted). Taking a
 * block from the head evicts its prefix-cache entry, if any.
 *
 * <p>Not thread-safe: owned by the engine thread. No method allocates.
 */
public final class KvBlockPool {
    public static final int NULL_BLOCK = 0;
    public static final int DEFAULT_BLOCK_SIZE = 16;

    private final int numBlocks;
    private final int blockSize;
    private final int[] refCount;            // (numBlocks)
    private final FreeBlockQueue freeQueue;
    private final PrefixCache prefixCache;   // null when prefix caching is off
    private int numUsed;

    /**
     * @param numBlocks total blocks including the null block (so {@code numBlocks - 1} usable)
     * @param blockSize tokens per block
     */
    public KvBlockPool(int numBlocks, int blockSize, boolean enablePrefixCaching) {
        if (numBlocks < 2) {
            throw new IllegalArgumentException("numBlocks must be >= 2 (block 0 is the null block), got " + numBlocks);
        }
        if (blockSize < 1) {
            throw new IllegalArgumentException("blockSize must be >= 1, got " + blockSize);
        }
        if ((long) numBlocks * blockSize > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("numBlocks * blockSize overflows int slots: "
                    + numBlocks + " * " + blockSize);
        }
        this.numBlocks = numBlocks;
        this.blockSize = blockSize;
        this.refCount = new int[numBlocks];
        this.freeQueue = new FreeBlockQueue(numBlocks);
        for (int b = 1; b < numBlocks; b++) {
            freeQueue.addLast(b);
        }
        this.prefixCache = enablePrefixCaching ? new PrefixCache(numBlocks, blockSize) : null;
    }

    /** Total blocks, including the null block. */
    public int numBlocks() {
        return numBlocks;
    }

    /** Blocks that can ever be handed out: {@code numBlocks() - 1}. */
    public int usableBlocks() {
        return numBlocks - 1;
    }

    public int blockSize() {
        return blockSize;
    }

    /** Blocks with ref count zero (including cached ones that may still be hit). */
    public int numFreeBlocks() {
        return freeQueue.size();
    }

    /** Blocks held by at least one sequence. */
    public int numUsedBlocks() {
        return numUsed;
    }

    /** Blocks in the prefix cache, in use or free. */
    public int numCachedBlocks() {
        return prefixCache == null ? 0 : prefixCache.size();
    }

    public int refCount(int block) {
        checkId(block);
        return refCount[block];
    }

    /** The prefix cache, or null when prefix caching is off. */
    public PrefixCache prefixCache() {
        return prefixCache;
    }

    /** Takes the block at the head of the free queue, evicting its cache entry; ref count 1. */
    public int allocate() {
        if (freeQueue.size() == 0) {
            throw new IllegalStateException("no free KV blocks (" + usableBlocks() + " all in use)");
        }
        int block = freeQueue.pollHead();
        if (prefixCache != null && prefixCache.isCached(block)) {
            prefixCache.evict(block);
        }
        refCount[block] = 1;
        numUsed++;
        return block;
    }

    /** Adds a holder; a free (cached) block leaves the free queue. */
    public void retain(int block) {
        checkUsable(block);
        if (refCount[block] == 0) {
            freeQueue.remove(block);
            numUsed++;
        }
        refCount[block]++;
    }

    /** Drops a holder; at zero the block returns to the free queue (see class comment). */
    public void release(int block) {
        checkUsable(block);
        if (refCount[block] == 0) {
            throw new IllegalStateException("release of free block " + block);
        }
        if (--refCount[block] == 0) {
            numUsed--;
            if (prefixCache != null && prefixCache.isCached(block)) {
                freeQueue.addLast(block);
            } else {
                freeQueue.addFirst(block);
            }
        }
    }

    /** Copies the free queue, next-to-reuse first, into {@code out}; returns the count. */
    public int freeQueueSnapshot(int[] out) {
        return freeQueue.copyTo(out);
    }

    private void checkUsable(int block) {
        checkId(block);
        if (block == NULL_BLOCK) {
            throw new IllegalArgumentException("the null block (0) is never allocated or freed");
        }
    }

    private void checkId(int block) {
        if (block < 0 || block >= numBlocks) {
            throw new IllegalArgumentException("block id " + block + " out of range [0, " + numBlocks + ")");
        }
    }
}
