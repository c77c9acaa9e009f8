package dev.gannet.kv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class KvBlockPoolTest {

    private static int[] freeQueue(KvBlockPool pool) {
        int[] out = new int[pool.numBlocks()];
        return Arrays.copyOf(out, pool.freeQueueSnapshot(out));
    }

    @Test
    void handsOutEveryBlockButTheNullBlockInIdOrder() {
        KvBlockPool pool = new KvBlockPool(5, 16, false);
        assertArrayEquals(new int[] {1, 2, 3, 4}, freeQueue(pool));
        int[] got = new int[4];
        for (int i = 0; i < 4; i++) {
            got[i] = pool.allocate();
        }
        assertArrayEquals(new int[] {1, 2, 3, 4}, got);
        assertEquals(4, pool.numUsedBlocks());
        assertEquals(0, pool.numFreeBlocks());
        IllegalStateException e = assertThrows(IllegalStateException.class, pool::allocate);
        assertEquals("no free KV blocks (4 all in use)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> pool.release(KvBlockPool.NULL_BLOCK));
        assertThrows(IllegalArgumentException.class, () -> pool.retain(KvBlockPool.NULL_BLOCK));
    }

    @Test
    void uncachedBlocksComeBackAtTheHeadSoTheyAreReusedFirst() {
        KvBlockPool pool = new KvBlockPool(6, 16, false);
        int a = pool.allocate();
        int b = pool.allocate();
        pool.release(a);
        assertArrayEquals(new int[] {1, 3, 4, 5}, freeQueue(pool));
        pool.release(b);
        assertArrayEquals(new int[] {2, 1, 3, 4, 5}, freeQueue(pool));
        assertEquals(2, pool.allocate());
    }

    @Test
    void refCountsTrackHoldersAndRetainRevivesAFreeBlock() {
        KvBlockPool pool = new KvBlockPool(4, 16, false);
        int b = pool.allocate();
        pool.retain(b);
        assertEquals(2, pool.refCount(b));
        pool.release(b);
        assertEquals(1, pool.refCount(b));
        assertEquals(2, pool.numFreeBlocks());
        pool.release(b);
        assertEquals(0, pool.refCount(b));
        assertEquals(3, pool.numFreeBlocks());
        assertThrows(IllegalStateException.class, () -> pool.release(b));
        pool.retain(3); // taking a free block from the middle of the queue
        assertArrayEquals(new int[] {1, 2}, freeQueue(pool));
        assertEquals(1, pool.numUsedBlocks());
    }

    @Test
    void rejectsBadGeometry() {
        assertThrows(IllegalArgumentException.class, () -> new KvBlockPool(1, 16, true));
        assertThrows(IllegalArgumentException.class, () -> new KvBlockPool(8, 0, true));
        assertThrows(IllegalArgumentException.class, () -> new KvBlockPool(1 << 28, 16, false));
    }
}
