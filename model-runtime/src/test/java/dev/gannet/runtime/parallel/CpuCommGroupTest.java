package dev.gannet.runtime.parallel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class CpuCommGroupTest {
    private static final long TIMEOUT_MS = 30_000;

    /** (ranks, len) values of mixed magnitude and sign, so that the summation order changes the rounding. */
    private static float[][] partials(int ranks, int len, long seed) {
        Random rnd = new Random(seed);
        float[][] p = new float[ranks][len];
        for (float[] row : p) {
            for (int i = 0; i < len; i++) row[i] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(9) - 4));
        }
        return p;
    }

    private static float[] rankOrderSum(float[][] p, int from, int len) {
        float[] s = new float[len];
        for (int i = 0; i < len; i++) {
            float acc = p[0][from + i];
            for (int r = 1; r < p.length; r++) acc += p[r][from + i];
            s[i] = acc;
        }
        return s;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5})
    void allReduceEqualsTheRankOrderSumBitForBit(int ranks) throws InterruptedException {
        int[] lengths = {1, 15, 17, 64, 1000, 4099};
        try (CommGroup g = CommBackend.CPU.open(ranks)) {
            for (int len : lengths) {
                int off = 3; // an offset inside the buffer, different from the slice boundaries
                float[][] original = partials(ranks, len + off + 2, len);
                float[][] bufs = new float[ranks][];
                for (int r = 0; r < ranks; r++) bufs[r] = original[r].clone();
                RankThreads.run(g, TIMEOUT_MS, c -> c.allReduce(bufs[c.rank()], off, len));
                float[] want = rankOrderSum(original, off, len);
                for (int r = 0; r < ranks; r++) {
                    for (int i = 0; i < len; i++) {
                        assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(bufs[r][off + i]),
                                "ranks " + ranks + ", len " + len + ", rank " + r + ", element " + i);
                    }
                    assertEquals(original[r][off - 1], bufs[r][off - 1], "element before the range untouched");
                    assertEquals(original[r][off + len], bufs[r][off + len], "element after the range untouched");
                }
            }
        }
    }

    @Test
    void allReduceSumsInRankOrderNotAnyOrder() throws InterruptedException {
        // (1e8 + 1) + -1e8 = 0 in f32, while 1 + (1e8 + -1e8) = 1: only rank order gives 0 everywhere.
        float[][] bufs = new float[3][];
        try (CommGroup g = CommBackend.CPU.open(3)) {
            for (int r = 0; r < 3; r++) {
                bufs[r] = new float[100];
                java.util.Arrays.fill(bufs[r], new float[] {1e8f, 1f, -1e8f}[r]);
            }
            RankThreads.run(g, TIMEOUT_MS, c -> c.allReduce(bufs[c.rank()], 0, 100));
        }
        for (float[] b : bufs) assertArrayEquals(new float[100], b);
    }

    @Test
    void allReduceIsDeterministicOverManyRuns() throws InterruptedException {
        int ranks = 4;
        int len = 777;
        float[][] original = partials(ranks, len, 42);
        float[] first = null;
        try (CommGroup g = CommBackend.CPU.open(ranks)) {
            for (int run = 0; run < 200; run++) {
                float[][] bufs = new float[ranks][];
                for (int r = 0; r < ranks; r++) bufs[r] = original[r].clone();
                RankThreads.run(g, TIMEOUT_MS, c -> c.allReduce(bufs[c.rank()], 0, len));
                if (first == null) first = bufs[0].clone();
                for (float[] b : bufs) assertArrayEquals(first, b, "run " + run);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4})
    void allGatherConcatenatesInRankOrder(int ranks) throws InterruptedException {
        int len = 37;
        float[][] dst = new float[ranks][2 + ranks * len];
        try (CommGroup g = CommBackend.CPU.open(ranks)) {
            RankThreads.run(g, TIMEOUT_MS, c -> {
                float[] src = new float[len + 5];
                for (int i = 0; i < len; i++) src[5 + i] = c.rank() * 1000 + i;
                c.allGather(src, 5, len, dst[c.rank()], 2);
            });
        }
        for (int r = 0; r < ranks; r++) {
            for (int q = 0; q < ranks; q++) {
                for (int i = 0; i < len; i++) assertEquals(q * 1000 + i, dst[r][2 + q * len + i], "rank " + r + " part " + q);
            }
        }
    }

    @Test
    void gatherFillsOnlyTheRoot() throws InterruptedException {
        int ranks = 3;
        int len = 5;
        try (CommGroup g = CommBackend.CPU.open(ranks)) {
            for (int root = 0; root < ranks; root++) {
                float[] dst = new float[1 + ranks * len];
                int rt = root;
                RankThreads.run(g, TIMEOUT_MS, c -> {
                    float[] src = new float[len];
                    java.util.Arrays.fill(src, c.rank() + 1);
                    c.gather(src, 0, len, c.rank() == rt ? dst : null, 1, rt);
                });
                assertEquals(0f, dst[0]);
                for (int q = 0; q < ranks; q++) {
                    for (int i = 0; i < len; i++) assertEquals(q + 1, dst[1 + q * len + i], "root " + root + " part " + q);
                }
            }
        }
    }

    @Test
    void broadcastCopiesTheRootsBufferEverywhere() throws InterruptedException {
        int ranks = 3;
        try (CommGroup g = CommBackend.CPU.open(ranks)) {
            for (int root = 0; root < ranks; root++) {
                float[][] bufs = new float[ranks][10];
                for (int r = 0; r < ranks; r++) java.util.Arrays.fill(bufs[r], r + 1);
                int rt = root;
                RankThreads.run(g, TIMEOUT_MS, c -> c.broadcast(bufs[c.rank()], 2, 5, rt));
                for (int r = 0; r < ranks; r++) {
                    assertEquals(r + 1, bufs[r][1], "outside the range");
                    for (int i = 2; i < 7; i++) assertEquals(root + 1, bufs[r][i]);
                    assertEquals(r + 1, bufs[r][7], "outside the range");
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 256})
    void manyMixedCollectivesWithoutDeadlock(int spins) throws InterruptedException {
        int ranks = 4;
        int iterations = 2_000;
        try (CommGroup g = new CpuCommGroup(ranks, spins)) {
            RankThreads.run(g, TIMEOUT_MS, c -> {
                float[] buf = new float[64];
                float[] gathered = new float[64 * ranks];
                for (int it = 0; it < iterations; it++) {
                    java.util.Arrays.fill(buf, 1f);
                    c.allReduce(buf, 0, 64);
                    if (buf[63] != ranks) throw new AssertionError("iteration " + it + ": " + buf[63]);
                    c.allGather(buf, 0, 64, gathered, 0);
                    if (it % 7 == c.rank()) Thread.yield(); // uneven arrival
                    c.broadcast(buf, 0, 1, it % ranks);
                    c.barrier();
                }
            });
        }
    }

    @Test
    void disagreeingLengthsFailOnEveryRankInsteadOfHanging() throws InterruptedException {
        try (CommGroup g = CommBackend.CPU.open(2)) {
            Throwable[] errors = RankThreads.runCollecting(g, TIMEOUT_MS, c -> c.allReduce(new float[10], 0, c.rank() == 0 ? 10 : 8));
            for (Throwable e : errors) {
                assertNotNull(e);
                assertTrue(e.getMessage().contains("ranks disagree"), e.getMessage());
            }
        }
    }

    @Test
    void abortWakesARankWaitingForAPeerThatNeverComes() throws InterruptedException {
        try (CommGroup g = CommBackend.CPU.open(2)) {
            CountDownLatch started = new CountDownLatch(1);
            Thread aborter = new Thread(() -> {
                try {
                    started.await();
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                g.abort(new RuntimeException("rank 1 failed"));
            });
            aborter.start();
            Throwable[] errors = RankThreads.runCollecting(g, TIMEOUT_MS, c -> {
                if (c.rank() == 0) {
                    started.countDown();
                    c.allReduce(new float[4], 0, 4);
                }
            });
            aborter.join();
            assertInstanceOf(IllegalStateException.class, errors[0]);
            assertTrue(errors[0].getMessage().contains("rank 1 failed"), errors[0].getMessage());
            assertThrows(IllegalStateException.class, () -> g.rank(1).barrier(), "the group stays broken");
            g.recover();
            float[][] bufs = {{1, 2}, {3, 4}};
            RankThreads.run(g, TIMEOUT_MS, c -> c.allReduce(bufs[c.rank()], 0, 2));
            assertArrayEquals(new float[] {4, 6}, bufs[1], "usable again after recover()");
        }
    }

    @Test
    void badArgumentsAreRejected() {
        try (CommGroup g = CommBackend.CPU.open(2)) {
            Communicator c = g.rank(0);
            assertThrows(IllegalArgumentException.class, () -> c.allReduce(new float[4], 2, 3));
            assertThrows(IllegalArgumentException.class, () -> c.allGather(new float[4], 0, 4, new float[7], 0));
            assertThrows(IllegalArgumentException.class, () -> c.broadcast(new float[4], 0, 4, 2));
            assertThrows(IllegalArgumentException.class, () -> g.rank(2));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CommBackend.CPU.open(0));
        assertEquals("--tp 0: the rank count must be at least 1", e.getMessage());
    }
}
