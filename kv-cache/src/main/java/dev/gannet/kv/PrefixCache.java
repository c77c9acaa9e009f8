package dev.gannet.kv;

import java.util.Arrays;

/**
 * Content-addressed index of full KV blocks: 128-bit chained block hash -> block id.
 *
 * <p>A registered block stays findable while its ref count is zero (it then also sits in the
 * pool's free queue); it leaves the index only when the pool reuses it ({@link #evict}). Each
 * entry keeps its parent hash, extra key and token ids, and a lookup verifies all of them plus
 * the low 64 hash bits, so a 64-bit key collision can never return the wrong KV.
 *
 * <p>Counters: {@code queryTokens}/{@code hitTokens} are in tokens (as vLLM reports them),
 * counted once per admitted sequence; {@code evictions} in blocks. Engine thread only.
 */
public final class PrefixCache {
    private final int blockSize;
    private final LongIntMap index;   // hashHi -> block id
    private final boolean[] cached;   // (numBlocks) block is in the index
    private final long[] hash;        // (numBlocks, 2) hi, lo
    private final long[] parent;      // (numBlocks, 2) parent hi, lo
    private final long[] extraKey;    // (numBlocks)
    private final int[] tokens;       // (numBlocks, blockSize) token ids of each cached block

    private long lookups;
    private long queryTokens;
    private long hitTokens;
    private long evictions;
    private long keyCollisions;

    PrefixCache(int numBlocks, int blockSize) {
        this.blockSize = blockSize;
        this.index = new LongIntMap(numBlocks);
        this.cached = new boolean[numBlocks];
        this.hash = new long[2 * numBlocks];
        this.parent = new long[2 * numBlocks];
        this.extraKey = new long[numBlocks];
        this.tokens = new int[numBlocks * blockSize];
    }

    /** Number of blocks currently findable (in use or free). */
    public int size() {
        return index.size();
    }

    public boolean isCached(int block) {
        return cached[block];
    }

    /** Sequences whose prompt was looked up when they were admitted. */
    public long lookups() {
        return lookups;
    }

    /** Tokens of those sequences (hit rate = hitTokens / queryTokens). */
    public long queryTokens() {
        return queryTokens;
    }

    /** Tokens served from the cache at admission (always whole blocks). */
    public long hitTokens() {
        return hitTokens;
    }

    /** Cached blocks dropped from the index because the pool reused them. */
    public long evictions() {
        return evictions;
    }

    /** Lookups whose 64-bit key matched a block with different content (expected: 0). */
    public long keyCollisions() {
        return keyCollisions;
    }

    /**
     * The cached block whose content is exactly this block, or -1.
     *
     * @param hashes chain of the querying sequence, (numBlocks, 2) hi/lo
     * @param i      block index within the sequence; its tokens are {@code seqTokens[i * blockSize ..]}
     */
    int find(long[] hashes, int i, long key, int[] seqTokens) {
        long hi = hashes[2 * i];
        int block = index.get(hi);
        if (block < 0) {
            return -1;
        }
        long parentHi = i == 0 ? BlockHasher.ROOT_HI : hashes[2 * i - 2];
        long parentLo = i == 0 ? BlockHasher.ROOT_LO : hashes[2 * i - 1];
        boolean same = hash[2 * block + 1] == hashes[2 * i + 1]
                && parent[2 * block] == parentHi && parent[2 * block + 1] == parentLo
                && extraKey[block] == key
                && Arrays.equals(tokens, block * blockSize, (block + 1) * blockSize,
                        seqTokens, i * blockSize, (i + 1) * blockSize);
        if (!same) {
            keyCollisions++;
            return -1;
        }
        return block;
    }

    /**
     * Makes {@code block} findable as block {@code i} of a sequence. Returns false (and leaves
     * the block unregistered) when another block already holds identical content.
     */
    boolean register(int block, long[] hashes, int i, long key, int[] seqTokens) {
        if (cached[block]) {
            throw new IllegalStateException("block " + block + " is already in the prefix cache");
        }
        long hi = hashes[2 * i];
        if (index.get(hi) >= 0) {
            return false;
        }
        index.putNew(hi, block);
        cached[block] = true;
        hash[2 * block] = hi;
        hash[2 * block + 1] = hashes[2 * i + 1];
        parent[2 * block] = i == 0 ? BlockHasher.ROOT_HI : hashes[2 * i - 2];
        parent[2 * block + 1] = i == 0 ? BlockHasher.ROOT_LO : hashes[2 * i - 1];
        extraKey[block] = key;
        System.arraycopy(seqTokens, i * blockSize, tokens, block * blockSize, blockSize);
        return true;
    }

    /** Drops a block from the index: the pool is about to reuse it for new content. */
    void evict(int block) {
        if (!cached[block]) {
            throw new IllegalStateException("block " + block + " is not in the prefix cache");
        }
        int removed = index.remove(hash[2 * block]);
        if (removed != block) {
            throw new IllegalStateException("prefix index maps hash of block " + block + " to " + removed);
        }
        cached[block] = false;
        evictions++;
    }

    /** The 128-bit hash under which {@code block} is cached: high half. */
    long hashHi(int block) {
        return hash[2 * block];
    }

    void recordAdmission(int numQueryTokens, int numHitTokens) {
        lookups++;
        queryTokens += numQueryTokens;
        hitTokens += numHitTokens;
    }
}
