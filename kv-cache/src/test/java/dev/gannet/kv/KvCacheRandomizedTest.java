package dev.gannet.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random admissions (sharing a few prompt prefixes), chunked growth, decode and frees against a
 * simulated KV memory: every computed position must still hold its own token when read back,
 * which fails if a shared or cached block is ever overwritten or reused while held.
 */
class KvCacheRandomizedTest {
    private static final int BS = 4;
    private static final int NUM_BLOCKS = 24;

    private static final class Seq {
        final BlockTable table;
        int[] tokens;
        int numTokens;
        int numComputed;

        Seq(BlockTable table, int[] tokens) {
            this.table = table;
            this.tokens = tokens;
            this.numTokens = tokens.length;
        }
    }

    private final int[] kvMemory = new int[NUM_BLOCKS * BS]; // token id "written" into each slot

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4})
    void invariantsHoldAndEverythingIsFreedAtTheEnd(long seed) {
        Random rnd = new Random(seed);
        KvCacheManager kv = new KvCacheManager(NUM_BLOCKS, BS, seed != 4);
        int[][] prefixes = new int[3][];
        for (int i = 0; i < prefixes.length; i++) {
            prefixes[i] = new int[5 + rnd.nextInt(12)];
            Arrays.setAll(prefixes[i], j -> rnd.nextInt(50));
        }
        List<Seq> live = new ArrayList<>();
        for (int op = 0; op < 20_000; op++) {
            int r = rnd.nextInt(10);
            if (r < 3 && live.size() < 8) {
                admit(kv, live, prefixes[rnd.nextInt(prefixes.length)], rnd);
            } else if (r < 8 && !live.isEmpty()) {
                Seq s = live.get(rnd.nextInt(live.size()));
                if (!grow(kv, s, rnd)) {
                    kv.free(s.table); // out of blocks: preempt it, as the scheduler would
                    live.remove(s);
                }
            } else if (!live.isEmpty()) {
                kv.free(live.remove(rnd.nextInt(live.size())).table);
            }
            checkInvariants(kv, live);
        }
        assertTrue(kv.stats().hitTokens() > 0 || seed == 4, "the workload should hit the cache");
        for (Seq s : live) {
            kv.free(s.table);
        }
        assertEquals(0, kv.pool().numUsedBlocks());
        assertEquals(NUM_BLOCKS - 1, kv.pool().numFreeBlocks());
        for (int b = 0; b < NUM_BLOCKS; b++) {
            assertEquals(0, kv.pool().refCount(b));
        }
    }

    private void admit(KvCacheManager kv, List<Seq> live, int[] prefix, Random rnd) {
        int[] tokens = Arrays.copyOf(prefix, prefix.length + rnd.nextInt(10));
        for (int i = prefix.length; i < tokens.length; i++) {
            tokens[i] = rnd.nextInt(50);
        }
        Seq s = new Seq(kv.newBlockTable(0), tokens);
        int cached = kv.findCachedPrefix(s.table, tokens, tokens.length);
        int chunk = 1 + rnd.nextInt(tokens.length - cached);
        if (!kv.canAllocate(s.table, cached + chunk)) {
            return;
        }
        kv.allocate(s.table, cached + chunk);
        for (int p = 0; p < cached; p++) {
            assertEquals(tokens[p], kvMemory[s.table.slot(p)], "prefix hit returned wrong KV at " + p);
        }
        compute(kv, s, cached, cached + chunk);
        live.add(s);
    }

    /** Next chunk of the prompt, or one decoded token. Returns false when blocks ran out. */
    private boolean grow(KvCacheManager kv, Seq s, Random rnd) {
        if (s.numComputed == s.numTokens) {
            if (s.numTokens == s.tokens.length) {
                s.tokens = Arrays.copyOf(s.tokens, 2 * s.tokens.length);
            }
            s.tokens[s.numTokens++] = rnd.nextInt(50); // the token sampled last step
        }
        int end = s.numComputed + 1 + rnd.nextInt(s.numTokens - s.numComputed);
        if (!kv.canAllocate(s.table, end)) {
            return false;
        }
        kv.allocate(s.table, end);
        compute(kv, s, s.numComputed, end);
        return true;
    }

    private void compute(KvCacheManager kv, Seq s, int from, int to) {
        for (int p = from; p < to; p++) {
            int block = s.table.blockId(p / BS);
            assertEquals(1, kv.pool().refCount(block), "writing into shared block " + block);
            assertFalse(kv.pool().prefixCache() != null && kv.pool().prefixCache().isCached(block),
                    "writing into cached block " + block);
            kvMemory[s.table.slot(p)] = s.tokens[p];
        }
        s.numComputed = to;
        kv.cacheFullBlocks(s.table, s.tokens, to);
    }

    private void checkInvariants(KvCacheManager kv, List<Seq> live) {
        KvBlockPool pool = kv.pool();
        int[] holders = new int[NUM_BLOCKS];
        for (Seq s : live) {
            for (int i = 0; i < s.table.numBlocks(); i++) {
                int b = s.table.blockId(i);
                assertNotEquals(KvBlockPool.NULL_BLOCK, b);
                holders[b]++;
            }
            for (int p = 0; p < s.numComputed; p++) {
                assertEquals(s.tokens[p], kvMemory[s.table.slot(p)], "KV of a live sequence was overwritten");
            }
        }
        int[] queue = new int[NUM_BLOCKS];
        int queued = pool.freeQueueSnapshot(queue);
        boolean[] inQueue = new boolean[NUM_BLOCKS];
        for (int i = 0; i < queued; i++) {
            assertFalse(inQueue[queue[i]], "block twice in free queue");
            inQueue[queue[i]] = true;
        }
        int used = 0;
        for (int b = 1; b < NUM_BLOCKS; b++) {
            assertEquals(holders[b], pool.refCount(b), "ref count of block " + b);
            assertEquals(holders[b] == 0, inQueue[b], "free-queue membership of block " + b);
            used += holders[b] > 0 ? 1 : 0;
        }
        assertFalse(inQueue[KvBlockPool.NULL_BLOCK]);
        assertEquals(used, pool.numUsedBlocks());
        assertEquals(NUM_BLOCKS - 1 - used, pool.numFreeBlocks());
        KvCacheStats st = kv.stats(); // its constructor re-checks used + free == usable
        assertTrue(st.cachedBlocks() <= NUM_BLOCKS - 1);
    }
}
