package dev.gannet.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gannet.runtime.sampler.SamplingParams;
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
        return run(engine, r);
    }

    private FinishInfo run(Engine e, Request r) {
        long id = e.submit(r, c).id();
        SchedulerStepTest.runUntilIdle(e, 100);
        return c.finishes.get(id);
    }

    private static Request req(int maxTokens, int minTokens, int[] stopIds, boolean ignoreEos) {
        return new Request(new int[PROMPT], SamplingParams.builder().temperature(0).maxTokens(maxTokens)
                .minTokens(minTokens).stopTokenIds(stopIds == null ? new int[0] : stopIds).ignoreEos(ignoreEos).build());
    }

    /** An engine whose detokenizers stop at the token {@code stopAt} (standing in for a stop string). */
    private Engine engineStoppingAt(int stopAt, List<String> seen) {
        Engine e = new Engine(cfg, runner, r -> new Detokenizer() {
            @Override
            public boolean accept(int token, boolean checkStops) {
                seen.add(token + (checkStops ? "" : "?"));
                return token == stopAt;
            }

            @Override
            public String take(boolean finished) {
                return finished ? "end" : "";
            }
        });
        return e;
    }

    @Test
    void eosStopsAndIsDeliveredAsTheLastToken() {
        FinishInfo f = run(req(10, 0, null, false));
        assertEquals(FinishReason.STOP, f.reason());
        assertEquals(EOS, f.stopTokenId());
        assertEquals(List.of(100, 101, EOS), c.tokens(c.finishOrder.get(0)));
    }

    @Test
    void ignoreEosRunsToMaxTokens() {
        FinishInfo f = run(req(8, 0, null, true));
        assertEquals(FinishReason.LENGTH, f.reason());
        assertEquals(8, f.generatedTokens());
        assertEquals(-1, f.stopTokenId());
    }

    @Test
    void minTokensSuppressesAnEarlyEos() {
        FinishInfo f = run(req(10, 4, null, false));
        assertEquals(FinishReason.STOP, f.reason());
        assertEquals(6, f.generatedTokens()); // the EOS at k = 2 is ignored, the one at k = 5 stops
    }

    @Test
    void stopTokenIdsApplyEvenWithIgnoreEos() {
        FinishInfo f = run(req(10, 0, new int[] {101}, true));
        assertEquals(FinishReason.STOP, f.reason());
        assertEquals(101, f.stopTokenId());
        assertEquals(2, f.generatedTokens());
    }

    @Test
    void theModelLengthEndsGenerationWithLength() {
        FinishInfo f = run(req(100, 0, null, true)); // maxModelLen 20 = 4 prompt + 16
        assertEquals(FinishReason.LENGTH, f.reason());
        assertEquals(16, f.generatedTokens());
    }

    @Test
    void theDetokenizerSeesEveryTokenButTheStoppingOneAndCanStopTheRequest() {
        List<String> seen = new java.util.ArrayList<>();
        Engine e = engineStoppingAt(104, seen);
        FinishInfo f = run(e, req(10, 4, null, false));
        assertEquals(FinishReason.STOP, f.reason());
        assertEquals(-1, f.stopTokenId());
        assertEquals(5, f.generatedTokens());
        // below min_tokens stops are not checked ("?") and the EOS at k = 2 is plain output
        assertEquals(List.of("100?", "101?", "7?", "103", "104"), seen);
        assertTrue(c.texts.get(c.finishOrder.getLast()).endsWith("end"), "held-back text is released at the end");

        seen.clear();
        FinishInfo eos = run(e, req(10, 0, null, false));
        assertEquals(EOS, eos.stopTokenId());
        assertEquals(List.of("100", "101"), seen); // the stopping EOS is not fed: its text is not output
    }

    @Test
    void aDetokenizerThatThrowsEndsOnlyItsRequest() {
        Engine e = new Engine(cfg, runner, r -> new Detokenizer() {
            @Override
            public boolean accept(int token, boolean checkStops) {
                throw new IllegalStateException("detokenizer broke");
            }

            @Override
            public String take(boolean finished) {
                return "";
            }
        });
        FinishInfo f = run(e, req(10, 0, null, true));
        assertEquals(FinishReason.ERROR, f.reason());
        assertTrue(f.error().contains("detokenizer broke"), f.error());
        assertEquals(0, e.stats().kvUsedBlocks());
        FinishInfo next = run(req(3, 0, null, true));
        assertEquals(FinishReason.LENGTH, next.reason());
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
        assertThrows(IllegalArgumentException.class, () -> req(2, 3, null, false));
    }
}
