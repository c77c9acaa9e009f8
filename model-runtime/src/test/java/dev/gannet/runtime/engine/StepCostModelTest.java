package dev.gannet.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class StepCostModelTest {

    private static long truth(long tokens, long pairs) {
        return 8_000_000 + 300_000 * tokens + 40 * pairs;
    }

    private static StepCostModel fitted(Random rnd, int steps) {
        StepCostModel m = new StepCostModel();
        for (int i = 0; i < steps; i++) {
            int tokens = 1 + rnd.nextInt(300);
            long pairs = StepCostModel.pairs(rnd.nextInt(2000), tokens);
            m.observe(tokens, pairs, truth(tokens, pairs), tokens > 8);
        }
        return m;
    }

    @Test
    void learnsALinearCostWithinAPercent() {
        StepCostModel m = fitted(new Random(1), 60);
        assertTrue(m.warm());
        for (int[] q : new int[][] {{1, 100}, {8, 500}, {200, 0}, {64, 1800}}) {
            long pairs = StepCostModel.pairs(q[1], q[0]);
            double want = truth(q[0], pairs);
            assertEquals(want, m.predict(q[0], pairs), want * 0.01, "tokens " + q[0] + " start " + q[1]);
        }
    }

    @Test
    void isNotTrustedBeforeItsWarmUpSteps() {
        assertFalse(fitted(new Random(2), StepCostModel.WARM_STEPS - 1).warm());
        assertTrue(fitted(new Random(2), StepCostModel.WARM_STEPS).warm());
        StepCostModel decodesOnly = new StepCostModel();
        for (int i = 0; i < 50; i++) decodesOnly.observe(8, 800, 100_000_000L, false);
        assertFalse(decodesOnly.warm(), "it has never seen what a prompt token costs");
    }

    @Test
    void followsAMachineThatSlowsDown() {
        StepCostModel m = fitted(new Random(3), 40);
        for (int i = 0; i < 80; i++) {
            int tokens = 1 + (i * 37) % 200;
            m.observe(tokens, 0, 2 * truth(tokens, 0), tokens > 8); // a neighbour took half the machine
        }
        assertEquals(2.0 * truth(50, 0), m.predict(50, 0), truth(50, 0) * 0.05);
    }

    @Test
    void theLargestPrefillThatFitsIsExact() {
        StepCostModel m = fitted(new Random(4), 80);
        long decodePairs = 4 * 300;
        long target = 30_000_000;
        int n = m.maxPrefillTokens(4, decodePairs, 100, target, 508);
        assertTrue(m.predict(4 + n, decodePairs + StepCostModel.pairs(100, n)) <= target);
        assertTrue(m.predict(4 + n + 1, decodePairs + StepCostModel.pairs(100, n + 1)) > target);
        assertEquals(508, m.maxPrefillTokens(4, decodePairs, 100, Long.MAX_VALUE / 4, 508));
        assertEquals(1, m.maxPrefillTokens(4, decodePairs, 100, 1, 508), "a prompt always advances");
    }

    @Test
    void aPoorlyExcitedFitNeverMakesALongChunkLookCheap() {
        // What serve saw (2 cores, 1.1B Q8_0): a 128-token prompt, 63 decode steps of its one stream, another prompt.
        StepCostModel m = new StepCostModel();
        m.observe(128, StepCostModel.pairs(0, 128), 2_144_000_000L, true);
        for (int i = 0; i < 63; i++) {
            m.observe(1, 129 + i, 59_000_000L + (i * 7919) % 8_000_000, false);
        }
        m.observe(128, StepCostModel.pairs(0, 128), 2_080_000_000L, true);
        int n = m.maxPrefillTokens(1, 129, 0, 177_000_000L, 511);
        assertTrue(n <= 16, "a 177 ms step was given " + n + " prefill tokens at ~16 ms each");
        assertTrue(m.predict(257, 190 + StepCostModel.pairs(0, 256)) > 2 * m.predict(129, 190 + StepCostModel.pairs(0, 128)) * 0.9);
    }

    @Test
    void pairsCountEachTokenAgainstItsWholeContext() {
        assertEquals(1, StepCostModel.pairs(0, 1));
        assertEquals(1 + 2 + 3, StepCostModel.pairs(0, 3));
        assertEquals(11 + 12, StepCostModel.pairs(10, 2));
    }
}
