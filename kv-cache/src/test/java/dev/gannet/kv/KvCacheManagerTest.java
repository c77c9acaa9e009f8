package dev.gannet.kv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Exact block ids, ref counts and eviction order, with block size 4. */
class KvCacheManagerTest {
    private static final int BS = 4;

    private static int[] range(int from, int n) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = from + i;
        }
        return t;
    }

    private static int[] blocks(BlockTable t) {
        int[] out = new int[t.numBlocks()];
        for (int i = 0; i < out.length; i++) {
            out[i] = t.blockId(i);
        }
        return out;
    }

    private static int[] freeQueue(KvCacheManager kv) {
        int[] out = new int[kv.pool().numBlocks()];
        return Arrays.copyOf(out, kv.pool().freeQueueSnapshot(out));
    }

    /** Admits a whole prompt as one chunk, "computes" it and publishes its full blocks. */
    private static BlockTable admitAndCompute(KvCacheManager kv, int[] tokens, long key) {
        BlockTable t = kv.newBlockTable(key);
        int cached = kv.findCachedPrefix(t, tokens, tokens.length);
        assertTrue(kv.canAllocate(t, tokens.length), "room for " + tokens.length);
        kv.allocate(t, tokens.length);
        assertTrue(cached <= tokens.length - 1);
        kv.cacheFullBlocks(t, tokens, tokens.length);
        return t;
    }

    @Test
    void freedCachedBlocksAreEvictedLruTailFirstAndEmptyOnesReusedFirst() {
        KvCacheManager kv = new KvCacheManager(10, BS, true);
        int[] ta = range(100, 10);
        int[] tb = range(200, 6);
        int[] tc = range(300, 5);
        BlockTable a = admitAndCompute(kv, ta, 0);
        BlockTable b = admitAndCompute(kv, tb, 0);
        BlockTable c = admitAndCompute(kv, tc, 0);
        assertArrayEquals(new int[] {1, 2, 3}, blocks(a));
        assertArrayEquals(new int[] {4, 5}, blocks(b));
        assertArrayEquals(new int[] {6, 7}, blocks(c));
        assertEquals(4, kv.pool().numCachedBlocks()); // full blocks: 1, 2, 4, 6
        assertArrayEquals(new int[] {8, 9}, freeQueue(kv));

        kv.free(b);
        kv.free(a);
        kv.free(c);
        // Partial blocks (5, 3, 7) go to the head; cached ones to the tail, each sequence tail first.
        assertArrayEquals(new int[] {7, 3, 5, 8, 9, 4, 2, 1, 6}, freeQueue(kv));
        assertEquals(0, kv.pool().numUsedBlocks());
        assertEquals(4, kv.pool().numCachedBlocks());

        // Same prompt as A: a hit on its two full blocks, taken out of the middle of the queue.
        BlockTable d = kv.newBlockTable(0);
        assertEquals(8, kv.findCachedPrefix(d, ta, ta.length));
        kv.allocate(d, ta.length);
        assertArrayEquals(new int[] {1, 2, 7}, blocks(d));
        assertEquals(1, kv.pool().refCount(1));
        assertArrayEquals(new int[] {3, 5, 8, 9, 4, 6}, freeQueue(kv));

        // Six fresh blocks: the four empty ones, then B's (freed first) and C's cached blocks.
        BlockTable e = kv.newBlockTable(0);
        int[] te = range(900, 24);
        assertEquals(0, kv.findCachedPrefix(e, te, te.length));
        kv.allocate(e, te.length);
        assertArrayEquals(new int[] {3, 5, 8, 9, 4, 6}, blocks(e));
        KvCacheStats s = kv.stats();
        assertEquals(2, s.evictions());
        assertEquals(2, s.cachedBlocks());
        assertEquals(9, s.usedBlocks());
        assertEquals(0, s.freeBlocks());
        assertEquals(5, s.lookups());     // a, b, c, d, e
        assertEquals(55, s.queryTokens()); // 10 + 6 + 5 + 10 + 24
        assertEquals(8, s.hitTokens());

        // B's evicted hash is gone: the same prompt now misses.
        kv.free(e);
        BlockTable b2 = kv.newBlockTable(0);
        assertEquals(0, kv.findCachedPrefix(b2, tb, tb.length));
    }

    @Test
    void runningSequencesShareCachedBlocks() {
        KvCacheManager kv = new KvCacheManager(8, BS, true);
        int[] prompt = range(1, 9);
        BlockTable a = admitAndCompute(kv, prompt, 0);
        BlockTable b = kv.newBlockTable(0);
        assertEquals(8, kv.findCachedPrefix(b, prompt, prompt.length));
        kv.allocate(b, prompt.length);
        assertArrayEquals(new int[] {1, 2, 3}, blocks(a));
        assertArrayEquals(new int[] {1, 2, 4}, blocks(b));
        assertEquals(2, kv.pool().refCount(1));
        assertEquals(2, kv.pool().refCount(2));
        assertEquals(b.blockId(0) * BS + 1, b.slot(1));
        assertEquals(4 * BS, b.slot(8));

        kv.free(a);
        assertEquals(1, kv.pool().refCount(1));
        assertArrayEquals(new int[] {3, 5, 6, 7}, freeQueue(kv));
        kv.free(b);
        assertArrayEquals(new int[] {4, 3, 5, 6, 7, 2, 1}, freeQueue(kv));
    }

    @Test
    void lookupAlwaysLeavesOneTokenToCompute() {
        KvCacheManager kv = new KvCacheManager(8, BS, true);
        int[] prompt = range(1, 8); // exactly two full blocks
        kv.free(admitAndCompute(kv, prompt, 0));
        BlockTable t = kv.newBlockTable(0);
        assertEquals(4, kv.findCachedPrefix(t, prompt, prompt.length));
        assertTrue(kv.canAllocate(t, 8));
        kv.allocate(t, 8);
        assertEquals(2, t.numBlocks());
        assertEquals(8, t.numTokens());
    }

    @Test
    void cacheKeySeparatesOtherwiseIdenticalPrompts() {
        KvCacheManager kv = new KvCacheManager(8, BS, true);
        int[] prompt = range(1, 9);
        kv.free(admitAndCompute(kv, prompt, 42));
        assertEquals(0, kv.findCachedPrefix(kv.newBlockTable(7), prompt, prompt.length));
        assertEquals(8, kv.findCachedPrefix(kv.newBlockTable(42), prompt, prompt.length));
        int[] other = prompt.clone();
        other[5] = 999; // differs in the second block: only the first block hits
        assertEquals(4, kv.findCachedPrefix(kv.newBlockTable(42), other, other.length));
    }

    @Test
    void canAllocateCountsHitsOnFreeBlocksAsTakenFromTheQueue() {
        KvCacheManager kv = new KvCacheManager(4, BS, true); // 3 usable blocks
        int[] prompt = range(1, 9);
        kv.free(admitAndCompute(kv, prompt, 0)); // blocks 1, 2 cached, 3 empty
        BlockTable t = kv.newBlockTable(0);
        assertEquals(8, kv.findCachedPrefix(t, prompt, prompt.length));
        assertTrue(kv.canAllocate(t, 12));   // 2 hits + 1 fresh = 3 blocks
        assertFalse(kv.canAllocate(t, 13));  // would need a 4th
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> kv.allocate(t, 13));
        assertEquals("not enough free KV blocks for 13 tokens: need 2, free 1", e.getMessage());
        kv.allocate(t, 12);
        assertArrayEquals(new int[] {1, 2, 3}, blocks(t));
        assertEquals(0, kv.pool().numFreeBlocks());
    }

    @Test
    void growingASequenceAppendsBlocksAndPublishesThemOnceComputed() {
        KvCacheManager kv = new KvCacheManager(8, BS, true);
        int[] tokens = range(50, 12);
        BlockTable t = kv.newBlockTable(0);
        assertEquals(0, kv.findCachedPrefix(t, tokens, 6));
        kv.allocate(t, 6);                     // chunk 1: positions 0..5
        kv.cacheFullBlocks(t, tokens, 6);
        assertEquals(1, kv.pool().numCachedBlocks());
        kv.allocate(t, 9);                     // chunk 2: positions 6..8
        assertArrayEquals(new int[] {1, 2, 3}, blocks(t));
        kv.cacheFullBlocks(t, tokens, 9);
        assertEquals(2, kv.pool().numCachedBlocks());
        assertThrows(IndexOutOfBoundsException.class, () -> t.slot(9));
        int[] row = new int[5];
        t.copyTo(row, 0, 5);
        assertArrayEquals(new int[] {1, 2, 3, 0, 0}, row);
    }

    @Test
    void identicalContentComputedTwiceIsCachedOnceAndTheCopyIsReusedFirst() {
        KvCacheManager kv = new KvCacheManager(8, BS, true);
        int[] prompt = range(1, 5);
        BlockTable a = kv.newBlockTable(0);
        BlockTable b = kv.newBlockTable(0);
        kv.findCachedPrefix(a, prompt, 5);
        kv.findCachedPrefix(b, prompt, 5);
        kv.allocate(a, 5);  // both admitted in one step: neither sees the other's block yet
        kv.allocate(b, 5);
        kv.cacheFullBlocks(a, prompt, 5);
        kv.cacheFullBlocks(b, prompt, 5);
        assertEquals(1, kv.pool().numCachedBlocks());
        kv.free(b);
        assertArrayEquals(new int[] {3, 4, 5, 6, 7}, freeQueue(kv));
        kv.free(a);
        assertArrayEquals(new int[] {2, 3, 4, 5, 6, 7, 1}, freeQueue(kv));
    }

    @Test
    void withoutPrefixCachingNothingIsFoundAndFreedBlocksAreReusedLifo() {
        KvCacheManager kv = new KvCacheManager(6, BS, false);
        int[] prompt = range(1, 9);
        BlockTable a = admitAndCompute(kv, prompt, 0);
        kv.free(a);
        assertArrayEquals(new int[] {1, 2, 3, 4, 5}, freeQueue(kv));
        assertEquals(0, kv.findCachedPrefix(kv.newBlockTable(0), prompt, prompt.length));
        assertEquals(0, kv.stats().cachedBlocks());
        assertEquals(20, kv.maxTokensPerSequence());
    }

    @Test
    void lookupOnATableThatHoldsBlocksIsRejected() {
        KvCacheManager kv = new KvCacheManager(6, BS, true);
        BlockTable a = admitAndCompute(kv, range(1, 5), 0);
        assertThrows(IllegalStateException.class, () -> kv.findCachedPrefix(a, range(1, 5), 5));
        assertThrows(IllegalArgumentException.class, () -> kv.findCachedPrefix(kv.newBlockTable(0), new int[3], 4));
    }
}
