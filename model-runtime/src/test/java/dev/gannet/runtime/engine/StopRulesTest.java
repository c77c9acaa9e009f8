package dev.gannet.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Stop conditions and up-front rejection, with scripted tokens: generated token k is 100 + k, EOS (7) at k = 2 and 5. */
class StopRulesTest {
    private static final int EOS = 7;
    private static final int PROMPT = 4;

    private final EngineConfig cfg = new EngineConfig(64, 4, 64, 8, 20, false, new int[] {EOS});
    private final FakeModelRunner runner = new FakeModelRunner(cfg, 1000, false);
    private final Engine engine = new Engine(cfg, runner);
    private final Collector c = new Collector(0);

    StopRulesTest() {
        runner.script = (id, contextLen) -> {
            int k = contextLen - PROMPT;
            return k == 2 || k == 5 ? EOS : 100 + k;
        };
    }

    private FinishInfo run(Request r) {
        long id = engine.submit(r, c).id();
        SchedulerStepTest.runUntilIdle(engine, 100);
        return c.finishes.get(id);
    }

    private static Request req(int maxTokens, int minTokens, int[] stopIds, boolean ignoreEos, StopChecker checker) {
        return new Request(new int[PROMPT], maxTokens, minTokens, stopIds, ignoreEos, 0, 0, null, checker);
    }

    @Test
    void eosStopsAndIsDeliveredAsTheLastToken() {
        FinishInfo f = run(req(10, 0, null, false, null));
        assertEquals(FinishReason.STOP, f.reason());
        assertEquals(EOS, f.stopTokenId());
        assertEquals(List.of(100, 101, EOS), c.tokens(c.finishOrder.get(0)));
    }

    @Test
    void ignoreEosRunsToMaxTokens() {
        FinishInfo f = run(req(8, 0, null, true, null));
        assertEquals(FinishReason.LENGTH, f.reason());
        assertEquals(8, f.generatedTokens());
        assertEquals(-1, f.stopTokenId());
    }

    @Test
    void minTokensSuppressesAnEarlyEos() {
        FinishInfo f = run(req(10, 4, null, false, null));
        assertEquals(FinishReason.STOP, f.reason());
        assertEquals(6, f.generatedTokens()); // the EOS at k = 2 is ignored, the one at k = 5 stops
    }

    @Test
    void stopTokenIdsApplyEvenWithIgnoreEos() {
        FinishInfo f = run(req(10, 0, new int[] {101}, true, null));
        assertEquals(FinishReason.STOP, f.reason());
        assertEquals(101, f.stopTokenId());
        assertEquals(2, f.generatedTokens());
    }

    @Test
    void theModelLengthEndsGenerationWithLength() {
        FinishInfo f = run(req(100, 0, null, true, null)); // maxModelLen 20 = 4 prompt + 16
        assertEquals(FinishReason.LENGTH, f.reason());
        assertEquals(16, f.generatedTokens());
    }

    @Test
    void aStopCheckerSeesTheSequenceAndCanStopIt() {
        StopChecker afterFour = (tokens, promptLength, numTokens) -> {
            assertEquals(PROMPT, promptLength);
            return tokens[numTokens - 1] == 104;
        };
        FinishInfo f = run(req(10, 0, null, true, afterFour));
        assertEquals(FinishReason.STOP, f.reason());
        assertEquals(-1, f.stopTokenId());
        assertEquals(5, f.generatedTokens());
    }

    @Test
    void aStopCheckerThatThrowsEndsOnlyItsRequest() {
        FinishInfo f = run(req(10, 0, null, true, (tokens, promptLength, numTokens) -> {
            throw new IllegalStateException("detokenizer broke");
        }));
        assertEquals(FinishReason.ERROR, f.reason());
        assertTrue(f.error().contains("detokenizer broke"), f.error());
        FinishInfo next = run(req(3, 0, null, true, null));
        assertEquals(FinishReason.LENGTH, next.reason());
        assertEquals(0, engine.stats().kvUsedBlocks());
    }

    @Test
    void promptsThatCanNeverFitAreRejectedAtSubmit() {
        IllegalArgumentException tooLongForModel = assertThrows(IllegalArgumentException.class,
                () -> engine.submit(Request.of(new int[20], 1), c));
        assertTrue(tooLongForModel.getMessage().startsWith("prompt of 20 tokens cannot fit: prompt + 1 generated token must be <= 20"),
                tooLongForModel.getMessage());
        EngineConfig smallPool = new EngineConfig(5, 4, 64, 8, 4096, false, null); // 16 slots
        Engine small = new Engine(smallPool, new FakeModelRunner(smallPool, 10, false));
        IllegalArgumentException tooLongForPool = assertThrows(IllegalArgumentException.class,
                () -> small.submit(Request.of(new int[16], 1), c));
        assertTrue(tooLongForPool.getMessage().contains("KV pool 4 blocks x 4 tokens"), tooLongForPool.getMessage());
        small.submit(Request.of(new int[15], 1), c); // exactly fits
        assertThrows(IllegalArgumentException.class, () -> Request.of(new int[0], 1));
        assertThrows(IllegalArgumentException.class, () -> new Request(new int[1], 2, 3, null, false, 0, 0, null, null));
    }
}
