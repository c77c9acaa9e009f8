package dev.gannet.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The step-time budget, on a simulated clock: each step "takes" {@code FIXED + PER_TOKEN * tokens} nanoseconds, so
 * what the scheduler learns and the chunks it cuts are exact and the test is independent of the machine.
 */
class StepBudgetTest {
    private static final long FIXED = 10_000_000;    // 10 ms a step: streaming the weights once
    private static final long PER_TOKEN = 500_000;   // 0.5 ms per token of the step
    private static final int MAX_BATCH = 512;

    /** A fake runner whose steps advance a simulated clock by a linear cost. */
    private static final class TimedRunner implements ModelRunner {
        final FakeModelRunner inner;
        long now;

        TimedRunner(EngineConfig cfg) {
            inner = new FakeModelRunner(cfg, 1000, true);
        }

        @Override
        public StepResult run(SchedulerOutput batch) {
            now += cost(batch);
            return inner.run(batch);
        }

        static long cost(SchedulerOutput b) {
            return FIXED + PER_TOKEN * b.numTokens();
        }
    }

    private static EngineConfig config(long maxStepNanos) {
        return new EngineConfig(512, 16, MAX_BATCH, 16, 4096, false, null, maxStepNanos);
    }

    private static Engine engine(EngineConfig cfg, TimedRunner runner) {
        return new Engine(cfg, runner, Detokenizer.NONE, () -> runner.now);
    }

    /** Four streams decode long enough to warm the cost model, then a 600-token prompt arrives. */
    private static List<SchedulerOutput> decodeThenLongPrompt(long maxStepNanos, Collector c) {
        EngineConfig cfg = config(maxStepNanos);
        TimedRunner runner = new TimedRunner(cfg);
        Engine engine = engine(cfg, runner);
        Random rnd = new Random(7);
        for (int i = 0; i < 4; i++) { // two waves: the model trusts itself after seeing prefills twice
            engine.submit(Request.of(SchedulerStepTest.prompt(rnd, 5 + 20 * (i / 2)), 120), c);
            if (i == 1) {
                engine.step();
                engine.step();
            }
        }
        for (int i = 0; i < 2 * StepCostModel.WARM_STEPS; i++) {
            assertTrue(engine.step());
        }
        int before = runner.inner.batches.size();
        engine.submit(Request.of(SchedulerStepTest.prompt(rnd, 600), 4), c);
        SchedulerStepTest.runUntilIdle(engine, 2000);
        assertEquals(List.of(), runner.inner.violations);
        assertEquals(List.of(), c.errors);
        assertEquals(0, engine.stats().kvUsedBlocks());
        return runner.inner.batches.subList(before, runner.inner.batches.size());
    }

    private static int decodeRows(SchedulerOutput b) {
        int n = 0;
        for (int i = 0; i < b.numSeqs(); i++) {
            if (b.cuSeqlens()[i + 1] - b.cuSeqlens()[i] == 1) n++;
        }
        return n;
    }

    private static int largestChunk(List<SchedulerOutput> batches) {
        int max = 0;
        for (SchedulerOutput b : batches) {
            for (int i = 0; i < b.numSeqs(); i++) max = Math.max(max, b.cuSeqlens()[i + 1] - b.cuSeqlens()[i]);
        }
        return max;
    }

    @Test
    void autoBudgetKeepsStepsWithDecodesWithinTheAutoFactorOfTheirOwnCost() {
        Collector c = new Collector(5);
        List<SchedulerOutput> batches = decodeThenLongPrompt(EngineConfig.STEP_BUDGET_AUTO, c);
        int withPrefill = 0;
        for (SchedulerOutput b : batches) {
            int decodes = decodeRows(b);
            if (decodes == 0 || decodes == b.numSeqs()) continue;
            withPrefill++;
            long decodeOnly = FIXED + PER_TOKEN * decodes;
            long limit = (long) (EngineConfig.AUTO_FACTOR * decodeOnly * 1.02) + PER_TOKEN;
            assertTrue(TimedRunner.cost(b) <= limit, "step of " + b.numTokens() + " tokens with " + decodes
                    + " decodes costs " + TimedRunner.cost(b) + " ns > " + limit);
        }
        // 600 prompt tokens in chunks of ~(2 * 12 ms - 12 ms) / 0.5 ms = 24: many steps, every one with the decodes
        assertTrue(withPrefill >= 10, "the prompt went in " + withPrefill + " shared steps");
        assertTrue(largestChunk(batches) < 64, "largest chunk " + largestChunk(batches));
    }

    @Test
    void aFixedBudgetSizesChunksFromTheLearnedCost() {
        Collector c = new Collector(5);
        // 40 ms: (40 - 10) / 0.5 = 60 tokens a step, four of them decodes
        List<SchedulerOutput> batches = decodeThenLongPrompt(40_000_000L, c);
        for (SchedulerOutput b : batches) {
            if (decodeRows(b) > 0 && decodeRows(b) < b.numSeqs()) {
                assertTrue(TimedRunner.cost(b) <= 40_800_000L, "step costs " + TimedRunner.cost(b));
            }
        }
        assertTrue(largestChunk(batches) >= 50, "largest chunk " + largestChunk(batches) + ": the budget was not used");
    }

    @Test
    void withoutABudgetTheChunkTakesTheWholeTokenBudget() {
        Collector c = new Collector(5);
        List<SchedulerOutput> batches = decodeThenLongPrompt(EngineConfig.STEP_BUDGET_OFF, c);
        assertEquals(MAX_BATCH - 4, largestChunk(batches));
    }

    @Test
    void withNothingDecodingThroughputWins() {
        EngineConfig cfg = config(EngineConfig.STEP_BUDGET_AUTO);
        TimedRunner runner = new TimedRunner(cfg);
        Engine engine = engine(cfg, runner);
        Collector c = new Collector(3);
        engine.submit(Request.of(SchedulerStepTest.prompt(new Random(1), 5), 3 * StepCostModel.WARM_STEPS), c);
        engine.step();
        engine.submit(Request.of(SchedulerStepTest.prompt(new Random(3), 40), 4), c);
        SchedulerStepTest.runUntilIdle(engine, 1000);
        int before = runner.inner.batches.size();
        engine.submit(Request.of(SchedulerStepTest.prompt(new Random(2), 1000), 2), c);
        SchedulerStepTest.runUntilIdle(engine, 1000);
        List<SchedulerOutput> after = new ArrayList<>(runner.inner.batches.subList(before, runner.inner.batches.size()));
        assertEquals(MAX_BATCH, after.get(0).numTokens(), "a lone prompt is prefilled in full-size chunks");
        assertEquals(List.of(), c.errors);
    }

    @Test
    void theBudgetChangesChunkingButNotTheTokens() {
        Collector off = new Collector(5);
        Collector auto = new Collector(5);
        decodeThenLongPrompt(EngineConfig.STEP_BUDGET_OFF, off);
        decodeThenLongPrompt(EngineConfig.STEP_BUDGET_AUTO, auto);
        assertEquals(off.tokens, auto.tokens);
    }
}
