package dev.gannet.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Constructor validation of the records that cross the engine boundary. */
class EngineRecordsTest {

    private static SchedulerOutput output(int[] cu, int[] positions, int[] contextLens, int[] logitsIdx, int[] logitsRows) {
        int numSeqs = cu.length - 1;
        int numTokens = positions.length;
        return new SchedulerOutput(new int[numTokens], positions, cu, contextLens, new int[numSeqs][2], 4,
                new int[numTokens], logitsIdx, logitsRows, new long[numSeqs], new dev.gannet.runtime.sampler.SamplingParams[numSeqs], new int[numSeqs][]);
    }

    @Test
    void aConsistentBatchIsAccepted() {
        SchedulerOutput out = output(new int[] {0, 3, 4}, new int[] {0, 1, 2, 5}, new int[] {3, 6},
                new int[] {2, 3}, new int[] {0, 1});
        assertEquals(2, out.numSeqs());
        assertEquals(4, out.numTokens());
        assertEquals(2, out.numSampled());
    }

    @Test
    void inconsistentBatchesAreRejectedWithTheFieldNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> output(
                new int[] {0, 3, 5}, new int[] {0, 1, 2, 5}, new int[] {3, 6}, new int[0], new int[0]));
        assertTrue(e.getMessage().contains("cuSeqlens"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> output(
                new int[] {0, 3, 4}, new int[] {0, 1, 2, 5}, new int[] {4, 6}, new int[0], new int[0]));
        assertTrue(e.getMessage().contains("contextLens - 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> output(
                new int[] {0, 3, 4}, new int[] {0, 1, 2, 5}, new int[] {3, 6}, new int[] {1}, new int[] {0}));
        assertTrue(e.getMessage().contains("last token of its row"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> output(
                new int[] {0, 3, 4}, new int[] {0, 1, 2, 8}, new int[] {3, 9}, new int[0], new int[0]));
        assertTrue(e.getMessage().contains("exceeds its block table"), e.getMessage());
    }

    @Test
    void configRejectsABudgetSmallerThanMaxRunning() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new EngineConfig(64, 16, 8, 16, 4096, true, null));
        assertTrue(e.getMessage().contains("maxBatchTokens (8) must be >= maxRunning (16)"), e.getMessage());
        assertEquals(63 * 16, new EngineConfig(64, 16, 64, 16, 1 << 20, true, null).maxContextTokens());
        assertEquals(100, new EngineConfig(64, 16, 64, 16, 100, true, null).maxContextTokens());
        assertThrows(IllegalArgumentException.class, () -> new StepResult(new int[] {-1}));
        assertThrows(IllegalArgumentException.class,
                () -> new FinishInfo(FinishReason.ERROR, 1, 0, 0, 0, -1, null, 0, 0, 0));
    }
}
