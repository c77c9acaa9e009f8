package dev.gannet.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** CPU-only: the split-count policy of decode attention and the workspace bound it promises. */
class DecodeSplitTest {
    private static final int H100_SMS = 132, BLOCK = 16;

    @Test
    void oneLongSequenceIsSplitUntilTheGpuIsBusy() {
        // Llama-3-8B (8 KV heads), batch 1, 32k context: 528 thread blocks wanted, 8 per piece -> 66 pieces asked,
        // 2048 KV blocks in pieces of ceil(2048 / 66) = 32 blocks -> 64 pieces of 512 tokens
        DecodeSplit s = DecodeSplit.choose(32768, 1, 8, H100_SMS, BLOCK);
        assertEquals(64, s.partitions());
        assertEquals(32, s.blocksPerPartition());
        assertTrue(s.partitions() * s.partitionTokens(BLOCK) >= 32768, s.toString());
        assertTrue(s.partitionTokens(BLOCK) >= DecodeSplit.MIN_PARTITION_TOKENS, s.toString());
    }

    @Test
    void shortContextsAreNotCutBelowTheMinimumPartition() {
        DecodeSplit s = DecodeSplit.choose(1000, 1, 8, H100_SMS, BLOCK);
        assertEquals(4, s.partitions()); // ceil(1000 / 256)
        assertEquals(16, s.blocksPerPartition());
        assertEquals(1, DecodeSplit.choose(200, 1, 8, H100_SMS, BLOCK).partitions());
    }

    @Test
    void aBatchThatFillsTheGpuIsNotSplit() {
        assertEquals(1, DecodeSplit.choose(8192, 128, 8, H100_SMS, BLOCK).partitions()); // 1024 blocks already
        assertEquals(2, DecodeSplit.choose(8192, 64, 8, H100_SMS, BLOCK).partitions());  // 512 < 528
    }

    @Test
    void wholeIsOnePartitionCoveringTheContext() {
        DecodeSplit s = DecodeSplit.whole(32768, BLOCK);
        assertEquals(1, s.partitions());
        assertEquals(2048, s.blocksPerPartition());
    }

    @Test
    void evenlyNeverLeavesAnEmptyTrailingPartition() {
        DecodeSplit s = DecodeSplit.evenly(100, 7, BLOCK); // 7 blocks in 7 pieces
        assertEquals(7, s.partitions());
        DecodeSplit t = DecodeSplit.evenly(20 * BLOCK, 7, BLOCK); // 20 blocks: 3 per piece -> 7 pieces
        assertEquals(3, t.blocksPerPartition());
        assertEquals(7, t.partitions());
        DecodeSplit u = DecodeSplit.evenly(13 * BLOCK, 5, BLOCK); // 13 blocks: 3 per piece -> 5 pieces (the last has 1)
        assertEquals(5, u.partitions());
    }

    @Test
    void theWorkspaceBoundHoldsForEveryBatchSize() {
        for (int kvHeads : new int[] {1, 2, 8}) {
            long bound = DecodeSplit.maxSeqPartitions(256, kvHeads, H100_SMS);
            for (int seqs = 1; seqs <= 256; seqs++) {
                for (int ctx : new int[] {1, 300, 8192, 131072}) {
                    DecodeSplit s = DecodeSplit.choose(ctx, seqs, kvHeads, H100_SMS, BLOCK);
                    assertTrue((long) seqs * s.partitions() <= bound, seqs + " seqs, ctx " + ctx + ", " + s + " > " + bound);
                    assertTrue(s.partitions() * s.partitionTokens(BLOCK) >= ctx, "covers the context");
                }
            }
        }
        assertEquals(10L * 4 * 8 * 130 * 4, DecodeSplit.workspaceBytes(10, 4, 8, 128));
    }

    @Test
    void badSizesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> DecodeSplit.choose(0, 1, 8, H100_SMS, BLOCK));
        assertThrows(IllegalArgumentException.class, () -> new DecodeSplit(0, 4));
    }
}
