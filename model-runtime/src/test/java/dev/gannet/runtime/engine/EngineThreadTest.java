package dev.gannet.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The engine thread: concurrent submission, aborts from another thread, idle parking, close. */
class EngineThreadTest {

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void thousandRequestsWithRandomAbortsFromAnotherThreadAllFinishAndFreeEverything() throws Exception {
        EngineConfig cfg = new EngineConfig(96, 16, 256, 32, 4096, true, null);
        FakeModelRunner runner = new FakeModelRunner(cfg, 50_000, false);
        Collector c = new Collector(1000);
        List<RequestHandle> handles = new ArrayList<>();
        int[] maxTokens = new int[1000];
        Random rnd = new Random(42);
        int[] sharedPrefix = SchedulerStepTest.prompt(rnd, 48);
        try (Engine engine = new Engine(cfg, runner)) {
            engine.start();
            AtomicInteger aborted = new AtomicInteger();
            Thread aborter = Thread.ofPlatform().start(() -> {
                Random r = new Random(7);
                while (c.done.getCount() > 0) {
                    int n;
                    synchronized (handles) {
                        n = handles.size();
                    }
                    if (n > 0 && r.nextInt(4) == 0) {
                        RequestHandle h;
                        synchronized (handles) {
                            h = handles.get(r.nextInt(n));
                        }
                        h.abort();
                        aborted.incrementAndGet();
                    }
                    Thread.onSpinWait();
                    try {
                        Thread.sleep(0, 200_000);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            for (int i = 0; i < 1000; i++) {
                int[] p = SchedulerStepTest.prompt(rnd, 1 + rnd.nextInt(100));
                if (i % 2 == 0) {
                    System.arraycopy(sharedPrefix, 0, p, 0, Math.min(p.length, sharedPrefix.length));
                }
                maxTokens[i] = 1 + rnd.nextInt(32);
                RequestHandle h = engine.submit(Request.of(p, maxTokens[i]), c);
                synchronized (handles) {
                    handles.add(h);
                }
            }
            assertTrue(c.done.await(50, TimeUnit.SECONDS), "not all requests finished: " + engine.stats());
            aborter.join();
            int numAborted = 0;
            for (int i = 0; i < 1000; i++) {
                long id = handles.get(i).id();
                FinishReason reason = c.reason(id);
                if (reason == FinishReason.ABORT) {
                    numAborted++;
                } else {
                    assertEquals(FinishReason.LENGTH, reason, "request " + id);
                    assertEquals(maxTokens[i], c.tokens(id).size(), "request " + id);
                }
            }
            assertTrue(numAborted > 0 && numAborted < 1000, numAborted + " aborted");
            assertEquals(List.of(), c.errors);
            assertEquals(List.of(), runner.violations);
            EngineStats s = awaitIdle(engine);
            assertEquals(0, engine.pendingRequests());
            assertEquals(0, s.kvUsedBlocks());
            assertEquals(1000, s.finishedRequests());
            assertTrue(s.prefixHitTokens() > 0, "shared prefixes should hit: " + s);
        }
    }

    private static EngineStats awaitIdle(Engine engine) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        EngineStats s = engine.stats();
        while ((s.running() + s.waiting() > 0 || s.kvUsedBlocks() > 0) && System.nanoTime() < deadline) {
            Thread.sleep(5);
            s = engine.stats();
        }
        return s;
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void anIdleEngineWakesForNewWorkAndCloseAbortsWhatIsLeft() throws Exception {
        EngineConfig cfg = new EngineConfig(64, 16, 64, 4, 1 << 20, false, null);
        Collector c = new Collector(1);
        FakeModelRunner fake = new FakeModelRunner(cfg, 1000, false);
        ModelRunner slow = batch -> { // 1 ms a step: the endless requests stay far from the context limit
            LockSupport.parkNanos(1_000_000);
            return fake.run(batch);
        };
        Engine engine = new Engine(cfg, slow);
        engine.start();
        Thread.sleep(50); // let it park
        long id = engine.submit(Request.of(new int[] {1, 2, 3}, 4), c).id();
        assertTrue(c.done.await(10, TimeUnit.SECONDS));
        assertEquals(FinishReason.LENGTH, c.reason(id));

        Collector endless = new Collector(3);
        for (int i = 0; i < 3; i++) {
            engine.submit(Request.of(new int[] {9, 8, 7}, 1_000_000), endless);
        }
        Thread.sleep(50);
        engine.close();
        assertTrue(endless.done.await(1, TimeUnit.SECONDS));
        for (FinishInfo f : endless.finishes.values()) {
            assertEquals(FinishReason.ABORT, f.reason());
        }
        assertEquals(0, engine.stats().kvUsedBlocks());
        assertThrows(IllegalStateException.class, () -> engine.submit(Request.of(new int[] {1}, 1), c));
        assertThrows(IllegalStateException.class, engine::start);
    }
}
