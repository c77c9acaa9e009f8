package dev.gannet.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ComputePoolTest {

    @Test
    void everyWorkerRunsEveryTaskOnce() throws Exception {
        try (ComputePool pool = new ComputePool(3)) {
            AtomicIntegerArray hits = new AtomicIntegerArray(3);
            int[] counts = new int[1];
            ComputePool.Task task = (index, count) -> {
                counts[0] = count;
                hits.incrementAndGet(index);
            };
            for (int i = 0; i < 2000; i++) {
                pool.run(task);
                if (i == 1000) Thread.sleep(5); // let the workers park, then wake them
            }
            assertEquals(3, counts[0]);
            for (int i = 0; i < 3; i++) assertEquals(2000, hits.get(i), "worker " + i);
        }
    }

    @Test
    void aWorkersFailureReachesTheCallerAndThePoolStaysUsable() {
        try (ComputePool pool = new ComputePool(2)) {
            IllegalStateException boom = new IllegalStateException("boom");
            var e = assertThrows(IllegalStateException.class, () -> pool.run((index, count) -> {
                if (index == 1) throw boom;
            }));
            assertSame(boom, e);
            AtomicIntegerArray hits = new AtomicIntegerArray(2);
            pool.run((index, count) -> hits.incrementAndGet(index));
            assertEquals(1, hits.get(0));
            assertEquals(1, hits.get(1));
        }
    }

    @Test
    void nestedRunsAreRefused() {
        try (ComputePool pool = new ComputePool(2)) {
            var e = assertThrows(IllegalStateException.class, () -> pool.run((index, count) -> {
                if (index == 0) pool.run((i, n) -> { });
            }));
            assertTrue(e.getMessage().contains("one caller at a time"), e.getMessage());
        }
    }

    @Test
    void closedPoolRefusesWorkAndBadSizesAreRejected() {
        ComputePool pool = new ComputePool(2);
        pool.close();
        assertThrows(IllegalStateException.class, () -> pool.run((i, n) -> { }));
        assertThrows(IllegalArgumentException.class, () -> new ComputePool(0));
    }
}
