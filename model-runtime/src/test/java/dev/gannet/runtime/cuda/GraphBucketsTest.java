package dev.gannet.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** CPU-only: which captured graph a decode step replays. */
class GraphBucketsTest {
    @Test
    void batchBucketsDoubleUpToMaxRunning() {
        GraphBuckets b = GraphBuckets.forLimits(64, 256, 8192);
        assertEquals(List.of(1, 2, 4, 8, 16, 32, 64), b.batches());
        assertEquals(1, b.batchBucket(1));
        assertEquals(4, b.batchBucket(3));
        assertEquals(64, b.batchBucket(33));
        assertEquals(-1, b.batchBucket(65)); // larger steps run eagerly
        assertEquals(List.of(1, 2, 4, 8, 16, 32, 64, 100), GraphBuckets.forLimits(100, 256, 8192).batches()); // never past max_running
        assertEquals(List.of(1), GraphBuckets.forLimits(1, 256, 8192).batches());
        assertEquals(List.of(1, 2, 4, 8), GraphBuckets.forLimits(512, 8, 8192).batches());
    }

    @Test
    void contextBucketsArePowersOfTwoFrom256CappedAtTheModel() {
        GraphBuckets b = GraphBuckets.forLimits(8, 8, 3000);
        assertEquals(256, b.contextBucket(1));
        assertEquals(256, b.contextBucket(256));
        assertEquals(512, b.contextBucket(257));
        assertEquals(2048, b.contextBucket(1500));
        assertEquals(3000, b.contextBucket(2049)); // 4096 would pass the model's context
        GraphBuckets big = GraphBuckets.forLimits(8, 8, 131072);
        assertEquals(32768, big.contextBucket(32768));
        assertEquals(65536, big.contextBucket(32769));
    }

    @Test
    void badLaddersAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new GraphBuckets(List.of(2, 1), 100));
        assertThrows(IllegalArgumentException.class, () -> new GraphBuckets(List.of(), 100));
        assertThrows(IllegalArgumentException.class, () -> GraphBuckets.forLimits(8, 8, 100).batchBucket(0));
    }
}
