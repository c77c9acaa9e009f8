package dev.gannet.runtime.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class WorkerPoolTest {
    @Test
    void everyWorkerRunsEveryJobAndFailuresReachTheCaller() throws Exception {
        WorkerPool pool = new WorkerPool(3, "test-pool");
        AtomicIntegerArray runs = new AtomicIntegerArray(3);
        for (int i = 0; i < 100; i++) pool.run(runs::incrementAndGet);
        assertArrayEquals(new int[] {100, 100, 100}, new int[] {runs.get(0), runs.get(1), runs.get(2)});

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.run(w -> {
            if (w == 2) throw new IllegalStateException("worker 2 failed");
        }));
        assertEquals("worker 2 failed", e.getMessage());
        pool.run(runs::incrementAndGet); // still usable after a failure
        assertEquals(101, runs.get(1));

        pool.close();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("test-pool-")) t.join(2000);
        }
        assertFalse(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().startsWith("test-pool-") && t.isAlive()),
                "workers exit on close");
        assertThrows(IllegalStateException.class, () -> pool.run(w -> { }));
    }
}
