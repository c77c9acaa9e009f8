package dev.gannet.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Scheduling policy, driven step by step (no engine thread) with the paged fake runner. */
class SchedulerStepTest {

    static EngineConfig config(int numBlocks, int blockSize, int budget, int maxRunning, boolean prefixCaching) {
        return new EngineConfig(numBlocks, blockSize, budget, maxRunning, 4096, prefixCaching, null);
    }

    static int[] prompt(Random rnd, int length) {
        int[] p = new int[length];
        for (int i = 0; i < length; i++) {
            p[i] = rnd.nextInt(500);
        }
        return p;
    }

    static int runUntilIdle(Engine engine, int maxSteps) {
        int steps = 0;
        while (engine.step()) {
            if (++steps > maxSteps) {
                throw new AssertionError("not idle after " + maxSteps + " steps: " + engine.stats());
            }
        }
        return steps;
    }

    @Test
    void everyStepRespectsTheTokenBudgetAndMaxRunning() {
        EngineConfig cfg = config(64, 4, 32, 4, true);
        FakeModelRunner runner = new FakeModelRunner(cfg, 1000, true);
        Engine engine = new Engine(cfg, runner);
        Collector c = new Collector(10);
        Random rnd = new Random(3);
        List<RequestHandle> handles = new ArrayList<>();
        List<Integer> maxTokens = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            maxTokens.add(5 + rnd.nextInt(16));
            handles.add(engine.submit(Request.of(prompt(rnd, 1 + rnd.nextInt(50)), maxTokens.get(i)), c));
        }
        assertEquals(10, engine.pendingRequests());
        runUntilIdle(engine, 1000);
        assertEquals(0, engine.pendingRequests());
        for (SchedulerOutput b : runner.batches) {
            assertTrue(b.numTokens() <= 32, "batch of " + b.numTokens() + " tokens");
            assertTrue(b.numSeqs() <= 4, "batch of " + b.numSeqs() + " rows");
        }
        for (int i = 0; i < 10; i++) {
            long id = handles.get(i).id();
            assertEquals(FinishReason.LENGTH, c.reason(id));
            assertEquals((int) maxTokens.get(i), c.tokens(id).size());
        }
        assertEquals(List.of(), runner.violations);
        assertEquals(List.of(), c.errors);
        assertEquals(0, engine.stats().kvUsedBlocks());
        assertEquals(10, engine.stats().finishedRequests());
    }

    @Test
    void aLongPromptIsChunkedWhileAnotherSequenceDecodesEveryStep() {
        EngineConfig cfg = config(64, 4, 16, 8, false);
        FakeModelRunner runner = new FakeModelRunner(cfg, 1000, true);
        Engine engine = new Engine(cfg, runner);
        Collector c = new Collector(2);
        long a = engine.submit(Request.of(new int[] {1, 2, 3}, 30), c).id();
        assertTrue(engine.step());
        assertEquals(1, c.tokens(a).size());
        long b = engine.submit(Request.of(prompt(new Random(1), 100), 2), c).id();
        runner.batches.clear();
        for (int k = 0; k < 7; k++) {
            assertTrue(engine.step());
        }
        // Each step: A decodes one token, B gets the remaining 15 of the budget; 100 = 6 * 15 + 10.
        for (int k = 0; k < 7; k++) {
            SchedulerOutput out = runner.batches.get(k);
            assertArrayEquals(new long[] {a, b}, out.requestIds());
            int bTokens = k < 6 ? 15 : 10;
            assertArrayEquals(new int[] {0, 1, 1 + bTokens}, out.cuSeqlens(), "step " + k);
            assertEquals(15 * k, out.positions()[1], "B resumes where the last chunk ended");
            assertArrayEquals(k < 6 ? new int[] {0} : new int[] {0, 1}, out.logitRows(), "step " + k);
            assertEquals(3 + 1 + k, out.contextLens()[0]);
        }
        assertEquals(8, c.tokens(a).size());
        assertEquals(1, c.tokens(b).size()); // B's first token only after its last chunk
        assertEquals(100, runner.batches.get(0).newPrompts()[1].length); // B's whole prompt, once
        assertEquals(null, runner.batches.get(0).newPrompts()[0]);
        assertEquals(null, runner.batches.get(1).newPrompts()[1]);
        runUntilIdle(engine, 100);
        assertEquals(30, c.tokens(a).size());
        assertEquals(List.of(b, a), runner.released);
        assertEquals(List.of(), runner.violations);
    }

    @Test
    void aHigherPriorityLongPromptStillLeavesEveryDecodeOneTokenPerStep() {
        EngineConfig cfg = config(128, 4, 16, 4, false);
        FakeModelRunner runner = new FakeModelRunner(cfg, 1000, true);
        Engine engine = new Engine(cfg, runner);
        Collector c = new Collector(3);
        long a = engine.submit(Request.of(new int[] {1, 2}, 40).withPriority(5), c).id();
        long b = engine.submit(Request.of(new int[] {3, 4}, 40).withPriority(5), c).id();
        engine.step();
        long urgent = engine.submit(Request.of(prompt(new Random(9), 200), 3).withPriority(0), c).id();
        runner.batches.clear();
        while (c.tokens(urgent).isEmpty()) {
            assertTrue(engine.step());
        }
        // Admitted behind A and B, then running ahead of them (priority 0), the urgent prompt
        // gets 16 - 2 = 14 tokens a step while A and B still decode every step: 200 = 14 * 14 + 4.
        assertEquals(15, runner.batches.size());
        assertArrayEquals(new long[] {a, b, urgent}, runner.batches.get(0).requestIds());
        for (SchedulerOutput out : runner.batches.subList(1, 15)) {
            assertArrayEquals(new long[] {urgent, a, b}, out.requestIds());
            assertEquals(out.numTokens() - 2, out.cuSeqlens()[1]);
        }
        assertEquals(4, runner.batches.get(14).cuSeqlens()[1]);
        assertEquals(16, c.tokens(a).size());
        assertEquals(16, c.tokens(b).size());
    }

    /** Runs a fixed workload and returns each request's tokens, in submission order. */
    private static List<List<Integer>> runWorkload(EngineConfig cfg, long[] preemptionsOut) {
        FakeModelRunner runner = new FakeModelRunner(cfg, 50_000, false);
        Engine engine = new Engine(cfg, runner);
        Random rnd = new Random(11);
        int[] shared = prompt(rnd, 12);
        Collector c = new Collector(12);
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            int[] p = prompt(rnd, 5 + rnd.nextInt(36));
            if (i % 3 == 0) {
                System.arraycopy(shared, 0, p, 0, Math.min(shared.length, p.length));
            }
            ids.add(engine.submit(Request.of(p, 10 + rnd.nextInt(31)), c).id());
        }
        runUntilIdle(engine, 5000);
        assertEquals(List.of(), runner.violations);
        assertEquals(List.of(), c.errors);
        assertEquals(0, engine.stats().kvUsedBlocks());
        preemptionsOut[0] = engine.stats().preemptions();
        List<List<Integer>> out = new ArrayList<>();
        for (long id : ids) {
            assertEquals(FinishReason.LENGTH, c.reason(id));
            out.add(c.tokens(id));
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void preemptionUnderATinyPoolGivesTheSameTokensAsALargePool(boolean prefixCaching) {
        long[] bigPreempt = new long[1];
        long[] tinyPreempt = new long[1];
        List<List<Integer>> big = runWorkload(config(400, 4, 64, 12, prefixCaching), bigPreempt);
        List<List<Integer>> tiny = runWorkload(config(24, 4, 64, 12, prefixCaching), tinyPreempt);
        assertEquals(0, bigPreempt[0]);
        assertTrue(tinyPreempt[0] > 0, "the tiny pool must force preemption");
        assertEquals(big, tiny);
    }

    @Test
    void aRepeatedPromptIsServedFromThePrefixCacheWithIdenticalOutput() {
        EngineConfig cfg = config(64, 4, 64, 4, true);
        FakeModelRunner runner = new FakeModelRunner(cfg, 50_000, false);
        Engine engine = new Engine(cfg, runner);
        Collector c = new Collector(2);
        int[] p = prompt(new Random(5), 30);
        long first = engine.submit(Request.of(p, 8), c).id();
        runUntilIdle(engine, 100);
        long second = engine.submit(Request.of(p, 8), c).id();
        runUntilIdle(engine, 100);
        assertEquals(0, c.finishes.get(first).cachedPromptTokens());
        assertEquals(28, c.finishes.get(second).cachedPromptTokens()); // 7 full blocks of 30 tokens
        assertEquals(c.tokens(first), c.tokens(second));
        EngineStats s = engine.stats();
        assertEquals(60, s.prefixQueryTokens());
        assertEquals(28, s.prefixHitTokens());
        assertTrue(s.kvCachedBlocks() > 0);
        long other = engine.submit(new Request(p, dev.gannet.runtime.sampler.SamplingParams.greedy(8), 0, 99L), c).id();
        runUntilIdle(engine, 100);
        assertEquals(0, c.finishes.get(other).cachedPromptTokens(), "another cache key must not hit");
    }

    @Test
    void lowerPriorityValueRunsFirstThenArrivalOrder() {
        EngineConfig cfg = config(64, 4, 64, 1, false);
        Engine engine = new Engine(cfg, new FakeModelRunner(cfg, 1000, false));
        Collector c = new Collector(4);
        int[] p = {1, 2, 3};
        long a = engine.submit(Request.of(p, 3).withPriority(5), c).id();
        long b = engine.submit(Request.of(p, 3).withPriority(0), c).id();
        long d = engine.submit(Request.of(p, 3).withPriority(5), c).id();
        long e = engine.submit(Request.of(p, 3).withPriority(-1), c).id();
        runUntilIdle(engine, 100);
        assertEquals(List.of(e, b, a, d), c.finishOrder);
    }

    @Test
    void underPressureTheWorstPriorityIsPreemptedFirst() {
        EngineConfig cfg = config(9, 4, 64, 4, false); // 8 blocks = 32 token slots
        Engine engine = new Engine(cfg, new FakeModelRunner(cfg, 1000, false));
        Collector c = new Collector(2);
        long low = engine.submit(Request.of(new int[12], 12).withPriority(1), c).id();
        long high = engine.submit(Request.of(new int[12], 12).withPriority(0), c).id();
        runUntilIdle(engine, 200);
        assertEquals(0, c.finishes.get(high).preemptions());
        assertTrue(c.finishes.get(low).preemptions() > 0);
        assertEquals(List.of(high, low), c.finishOrder);
    }

    @Test
    void abortFreesBlocksOfRunningAndWaitingRequests() {
        EngineConfig cfg = config(64, 4, 64, 1, true);
        Engine engine = new Engine(cfg, new FakeModelRunner(cfg, 1000, false));
        Collector c = new Collector(3);
        RequestHandle running = engine.submit(Request.of(prompt(new Random(2), 40), 100), c);
        RequestHandle queued = engine.submit(Request.of(new int[] {4, 5}, 5), c);
        for (int i = 0; i < 3; i++) {
            engine.step();
        }
        assertTrue(engine.stats().kvUsedBlocks() >= 10);
        assertEquals(1, engine.stats().waiting());
        running.abort();
        queued.abort();
        engine.abort(12345); // unknown: ignored
        assertFalse(engine.step());
        assertEquals(FinishReason.ABORT, c.reason(running.id()));
        assertEquals(3, c.finishes.get(running.id()).generatedTokens());
        assertEquals(FinishReason.ABORT, c.reason(queued.id()));
        assertEquals(0, c.tokens(queued.id()).size());
        assertEquals(0, engine.stats().kvUsedBlocks());
        assertEquals(0, engine.stats().running() + engine.stats().waiting());
        engine.abort(running.id()); // already finished: no second event
        assertFalse(engine.step());
        assertEquals(List.of(), c.errors);
    }

    @Test
    void aRunnerFailureEndsOnlyThatBatchAndTheLoopKeepsServing() {
        EngineConfig cfg = config(64, 4, 64, 2, false);
        FakeModelRunner runner = new FakeModelRunner(cfg, 1000, false);
        Engine engine = new Engine(cfg, runner);
        Collector c = new Collector(4);
        long a = engine.submit(Request.of(new int[] {1, 2}, 50), c).id();
        engine.step();
        long b = engine.submit(Request.of(new int[] {3, 4}, 5), c).id();
        long waiting = engine.submit(Request.of(new int[] {5, 6}, 5), c).id(); // maxRunning 2: not in batch
        runner.failWhen = out -> out.numSeqs() == 2;
        engine.step();
        runner.failWhen = null;
        assertEquals(FinishReason.ERROR, c.reason(a));
        assertEquals(FinishReason.ERROR, c.reason(b));
        assertTrue(c.finishes.get(a).error().contains("injected runner failure"));
        assertEquals(0, engine.stats().kvUsedBlocks());
        long after = engine.submit(Request.of(new int[] {7}, 4), c).id();
        runUntilIdle(engine, 100);
        assertEquals(FinishReason.LENGTH, c.reason(waiting));
        assertEquals(FinishReason.LENGTH, c.reason(after));
        assertEquals(4, c.tokens(after).size());
        assertEquals(0, engine.stats().kvUsedBlocks());
    }

    @Test
    void aRunnerReturningTheWrongNumberOfTokensFailsTheBatch() {
        EngineConfig cfg = config(64, 4, 64, 2, false);
        Engine engine = new Engine(cfg, batch -> new StepResult(new int[batch.numSampled() + 1]));
        Collector c = new Collector(1);
        long id = engine.submit(Request.of(new int[] {1, 2}, 5), c).id();
        runUntilIdle(engine, 10);
        assertEquals(FinishReason.ERROR, c.reason(id));
        assertTrue(c.finishes.get(id).error().contains("runner returned 2 tokens for 1 sampled rows"),
                c.finishes.get(id).error());
        assertEquals(0, engine.stats().kvUsedBlocks());
    }

    @Test
    void aListenerThatThrowsEndsOnlyItsRequest() {
        EngineConfig cfg = config(64, 4, 64, 4, false);
        Engine engine = new Engine(cfg, new FakeModelRunner(cfg, 1000, false));
        Collector c = new Collector(2);
        List<FinishInfo> badFinish = new ArrayList<>();
        RequestListener bad = e -> {
            if (!e.finished()) throw new IllegalStateException("client went away");
            badFinish.add(e.finish());
        };
        engine.submit(Request.of(new int[] {1, 2, 3}, 5), bad);
        long good = engine.submit(Request.of(new int[] {1, 2, 3}, 5), c).id();
        runUntilIdle(engine, 100);
        assertEquals(1, badFinish.size());
        assertEquals(FinishReason.ERROR, badFinish.get(0).reason());
        assertEquals(FinishReason.LENGTH, c.reason(good));
        assertEquals(0, engine.stats().kvUsedBlocks());
    }
}
