package dev.gannet.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** CPU-only: how a GPU's memory is shared between weights, activations and the KV cache. */
class CudaMemoryPlanTest {
    private static final long GIB = 1L << 30, MIB = 1L << 20;

    @Test
    void theKvCacheGetsWhatUtilizationLeavesAfterEverythingElse() {
        // an 80 GiB H100, 0.5 GiB held by the context, Llama-3-8B f16 (15 GiB), 2 GiB of step buffers
        long block = 2L * 32 * 16 * 8 * 128 * 2; // 16 tokens, 32 layers, 8 KV heads of 128, K and V, f16: 2 MiB
        CudaMemoryPlan p = new CudaMemoryPlan(80 * GIB, 79 * GIB + 512 * MIB, 0.9, 15 * GIB, 2 * GIB, CudaMemoryPlan.DEFAULT_RESERVE, block);
        long budget = (long) (0.9 * 80 * GIB) - 512 * MIB;
        assertEquals(budget, p.budget());
        assertEquals(budget - 17 * GIB - 256 * MIB, p.kvBytes());
        assertEquals((int) (p.kvBytes() / block), p.kvBlocks());
        assertEquals(27776, p.kvBlocks()); // 54.25 GiB / 2 MiB: about 444k tokens
        p.check("cuda:0");
        assertTrue(p.describe().contains("27776 blocks"), p.describe());
    }

    @Test
    void othersProcessesComeOffTheShareFirst() {
        CudaMemoryPlan alone = new CudaMemoryPlan(80 * GIB, 80 * GIB, 0.5, GIB, GIB, 0, MIB);
        CudaMemoryPlan shared = new CudaMemoryPlan(80 * GIB, 60 * GIB, 0.5, GIB, GIB, 0, MIB);
        assertEquals(alone.kvBlocks() - 20 * 1024, shared.kvBlocks());
    }

    @Test
    void weightsThatDoNotFitSayWhatEachPartTakes() {
        CudaMemoryPlan p = new CudaMemoryPlan(24 * GIB, 23 * GIB, 0.9, 30 * GIB, GIB, CudaMemoryPlan.DEFAULT_RESERVE, 2 * MIB);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.check("cuda:0 (L4)"));
        String m = e.getMessage();
        assertTrue(m.startsWith("device cuda:0 (L4): the weights alone do not fit"), m);
        assertTrue(m.contains("weights 30.00 GiB") && m.contains("gpu_memory_utilization 0.90 of 24.00 GiB"), m);
        assertFalse(m.contains("\n"), "one line");
    }

    @Test
    void aCacheOfFewerThanTwoBlocksIsRefused() {
        CudaMemoryPlan p = new CudaMemoryPlan(10 * GIB, 10 * GIB, 1.0, 9 * GIB, GIB - 3 * MIB, 0, 2 * MIB);
        assertEquals(1, p.kvBlocks());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.check("cuda:1"));
        assertTrue(e.getMessage().contains("fewer than 2 KV blocks of 2.00 MiB remain"), e.getMessage());
    }

    @Test
    void badFiguresAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new CudaMemoryPlan(GIB, 2 * GIB, 0.9, 0, 0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new CudaMemoryPlan(GIB, GIB, 0, 0, 0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new CudaMemoryPlan(GIB, GIB, 1.1, 0, 0, 0, 1));
    }
}
