package dev.gannet.kv;

import java.util.Arrays;

/**
 * One sequence's KV block ids, append-only while the sequence holds them: logical block
 * {@code i} holds token positions {@code [i * blockSize, (i + 1) * blockSize)}.
 *
 * <p>Also carries the sequence's chain of full-block hashes (a pure function of its tokens and
 * cache key, so it survives preemption and is never recomputed) and the result of the last
 * prefix lookup until {@link KvCacheManager#allocate} commits it.
 *
 * <p>Reads are public (the runner turns them into block tables and slot mappings); all changes
 * go through {@link KvCacheManager}. Not thread-safe: owned by the engine thread.
 */
public final class BlockTable {
    private final int blockSize;
    private final long cacheKey;
    private int[] blocks = new int[8];   // (capacity) block ids; [numBlocks, numBlocks + pendingHits) = lookup result
    private int numBlocks;
    private int numTokens;               // token slots reserved by the last allocate
    private long[] hashes = new long[16]; // (capacity, 2) hi/lo chained hashes of full blocks
    private int numHashed;
    private int numRegistered;           // leading blocks already offered to the prefix cache
    private int pendingHits;
    private int lookupTokens;            // tokens queried by the pending lookup (for hit-rate stats)

    /**
     * @param cacheKey folded into every block hash: blocks are shared only between sequences
     *                 with equal keys (use it for a LoRA adapter id or a per-tenant cache salt; 0 = none)
     */
    public BlockTable(int blockSize, long cacheKey) {
        if (blockSize < 1) {
            throw new IllegalArgumentException("blockSize must be >= 1, got " + blockSize);
        }
        this.blockSize = blockSize;
        this.cacheKey = cacheKey;
    }

    public int blockSize() {
        return blockSize;
    }

    public long cacheKey() {
        return cacheKey;
    }

    public int numBlocks() {
        return numBlocks;
    }

    /** Token positions that have a KV slot: {@code [0, numTokens)}. */
    public int numTokens() {
        return numTokens;
    }

    public int blockId(int i) {
        if (i < 0 || i >= numBlocks) {
            throw new IndexOutOfBoundsException("block index " + i + " not in [0, " + numBlocks + ")");
        }
        return blocks[i];
    }

    /** Flat KV slot of a token position: {@code block * blockSize + position % blockSize}. */
    public int slot(int position) {
        if (position < 0 || position >= numTokens) {
            throw new IndexOutOfBoundsException("position " + position + " has no slot; reserved [0, " + numTokens + ")");
        }
        return blocks[position / blockSize] * blockSize + position % blockSize;
    }

    /**
     * Writes the block ids to {@code dst[off .. off + width)}, padding with the null block, as a
     * padded (numSeqs, width) block-table row.
     */
    public void copyTo(int[] dst, int off, int width) {
        if (width < numBlocks) {
            throw new IllegalArgumentException("row width " + width + " < " + numBlocks + " blocks");
        }
        System.arraycopy(blocks, 0, dst, off, numBlocks);
        Arrays.fill(dst, off + numBlocks, off + width, KvBlockPool.NULL_BLOCK);
    }

    // ---- package-private state used by KvCacheManager ----

    int[] rawBlocks() {
        return blocks;
    }

    void append(int block) {
        ensureBlockCapacity(numBlocks + 1);
        blocks[numBlocks++] = block;
    }

    void setNumTokens(int n) {
        numTokens = n;
    }

    int pendingHits() {
        return pendingHits;
    }

    /** Records a lookup result: {@code hits} block ids placed after the (empty) table. */
    void setPendingHit(int i, int block) {
        ensureBlockCapacity(numBlocks + i + 1);
        blocks[numBlocks + i] = block;
    }

    void setPendingHits(int n, int queriedTokens) {
        pendingHits = n;
        lookupTokens = queriedTokens;
    }

    int lookupTokens() {
        return lookupTokens;
    }

    int numHashed() {
        return numHashed;
    }

    long[] hashes() {
        return hashes;
    }

    /** Makes room for hashes of {@code n} blocks and returns the array to write into. */
    long[] hashesFor(int n) {
        if (2 * n > hashes.length) {
            hashes = Arrays.copyOf(hashes, Math.max(2 * n, 2 * hashes.length));
        }
        return hashes;
    }

    void setNumHashed(int n) {
        numHashed = n;
    }

    int numRegistered() {
        return numRegistered;
    }

    void setNumRegistered(int n) {
        numRegistered = n;
    }

    /** Forgets the blocks (after they were released); keeps the hash chain. */
    void clearBlocks() {
        numBlocks = 0;
        numTokens = 0;
        numRegistered = 0;
        pendingHits = 0;
        lookupTokens = 0;
    }

    private void ensureBlockCapacity(int n) {
        if (n > blocks.length) {
            blocks = Arrays.copyOf(blocks, Math.max(n, 2 * blocks.length));
        }
    }
}
