package dev.gannet.runtime.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** VectorAttention against ReferenceAttention on random K/V scattered over non-consecutive blocks. */
class AttentionTest {
    static final int HEADS = 4;
    static final int KV_HEADS = 2;
    static final int HEAD_DIM = 40; // not a multiple of the vector width: exercises the scalar tails
    static final int BLOCK = 4;

    /** Two sequences: A has 37 cached tokens plus a 3-token chunk, B decodes its token 90. */
    static ForwardBatch batch() {
        int[] tableA = {9, 2, 14, 0, 5, 11, 20, 3, 7, 16};           // 40 positions
        int[] tableB = new int[23];                                   // 92 positions, blocks 21..43 reversed
        for (int i = 0; i < tableB.length; i++) tableB[i] = 43 - i;
        int[] positions = {37, 38, 39, 90};
        int[] slots = new int[4];
        for (int t = 0; t < 3; t++) slots[t] = tableA[positions[t] / BLOCK] * BLOCK + positions[t] % BLOCK;
        slots[3] = tableB[90 / BLOCK] * BLOCK + 90 % BLOCK;
        return new ForwardBatch(new int[] {1, 2, 3, 4}, positions, new int[] {0, 3, 4}, new int[] {40, 91},
                new int[][] {tableA, tableB}, BLOCK, slots, new int[] {2, 3});
    }

    static KvStorage randomKv(long seed) {
        KvStorage kv = new KvStorage(1, 44, BLOCK, KV_HEADS, HEAD_DIM, KvStorage.Precision.F32);
        Random r = new Random(seed);
        long n = kv.keys(0).byteSize() / Float.BYTES;
        for (long i = 0; i < n; i++) {
            kv.keys(0).setAtIndex(KvStorage.FLOAT, i, (float) r.nextGaussian() * 2);
            kv.values(0).setAtIndex(KvStorage.FLOAT, i, (float) r.nextGaussian());
        }
        return kv;
    }

    static float[] randomQ(int tokens, long seed) {
        Random r = new Random(seed);
        float[] q = new float[tokens * HEADS * HEAD_DIM];
        for (int i = 0; i < q.length; i++) q[i] = (float) r.nextGaussian();
        return q;
    }

    static int[] tokenSeq(ForwardBatch b) {
        int[] s = new int[b.numTokens()];
        for (int i = 0; i < b.numSeqs(); i++) Arrays.fill(s, b.cuSeqlens()[i], b.cuSeqlens()[i + 1], i);
        return s;
    }

    @Test
    void vectorMatchesReferenceWithOneAndManyPartitions() {
        ForwardBatch b = batch();
        float[] q = randomQ(4, 1);
        float[] want = new float[q.length];
        try (KvStorage kv = randomKv(2); ReferenceAttention ref = new ReferenceAttention(HEADS, KV_HEADS, HEAD_DIM)) {
            ref.attend(b, tokenSeq(b), q, kv, 0, want);
            for (int threads : new int[] {1, 3}) {
                for (int minPartition : new int[] {1, 8, 256}) {
                    try (VectorAttention fast = new VectorAttention(HEADS, KV_HEADS, HEAD_DIM, 176, threads, minPartition)) {
                        float[] got = new float[q.length];
                        fast.attend(b, tokenSeq(b), q, kv, 0, got);
                        for (int i = 0; i < want.length; i++) {
                            assertEquals(want[i], got[i], 1e-5, "threads " + threads + ", partition " + minPartition + ", element " + i);
                        }
                    }
                }
            }
        }
    }

    @Test
    void partitionSizeDependsOnlyOnContextLength() {
        try (VectorAttention a = new VectorAttention(HEADS, KV_HEADS, HEAD_DIM, 1 << 17, 2, 256)) {
            assertEquals(256, a.partitionSize(1));
            assertEquals(256, a.partitionSize(4096));
            assertEquals(512, a.partitionSize(4097));
            assertEquals(8192, a.partitionSize(1 << 17));
            for (int len = 1; len < 10000; len += 37) {
                int p = a.partitionSize(len);
                assertEquals(1, Integer.bitCount(p));
                assertEquals(true, (len + p - 1) / p <= VectorAttention.MAX_PARTS, "partitions of " + len);
            }
        }
    }

    /**
     * With 3 threads, batches of fewer than 6 (token, KV head) items split partitions across threads: a lone
     * decode token (2 items) takes that path, while inside the 4-token batch (8 items) the same token is
     * computed whole by one thread. Both must give the same bits.
     */
    @Test
    void decodeTokenIsBitIdenticalAloneAndInsideABatch() {
        ForwardBatch both = batch();
        float[] q = randomQ(4, 3);
        try (KvStorage kv = randomKv(4); VectorAttention fast = new VectorAttention(HEADS, KV_HEADS, HEAD_DIM, 176, 3, 8)) {
            float[] inBatch = new float[q.length];
            fast.attend(both, tokenSeq(both), q, kv, 0, inBatch);

            int[] tableB = both.blockTables()[1];
            ForwardBatch alone = new ForwardBatch(new int[] {4}, new int[] {90}, new int[] {0, 1}, new int[] {91},
                    new int[][] {tableB}, BLOCK, new int[] {both.slotMapping()[3]}, new int[] {0});
            int row = HEADS * HEAD_DIM;
            float[] qAlone = Arrays.copyOfRange(q, 3 * row, 4 * row);
            float[] out = new float[row];
            fast.attend(alone, new int[] {0}, qAlone, kv, 0, out);
            assertArrayEquals(Arrays.copyOfRange(inBatch, 3 * row, 4 * row), out);
        }
    }

    /**
     * An 8-bit cache: the vector kernels agree with the reference on the same stored values, and
     * both stay close to attention over the f32 K/V the cache was written from.
     */
    @Test
    void eightBitCacheMatchesReferenceAndTracksF32() {
        int headDim = 64;
        ForwardBatch b = batch();
        Random r = new Random(21);
        int row = KV_HEADS * headDim;
        int slots = 44 * BLOCK;
        float[] k = new float[slots * row];
        float[] v = new float[slots * row];
        for (int i = 0; i < k.length; i++) {
            k[i] = (float) r.nextGaussian() * 2;
            v[i] = (float) r.nextGaussian();
        }
        int[] all = new int[slots];
        for (int i = 0; i < slots; i++) all[i] = i;
        float[] q = new float[4 * HEADS * headDim];
        for (int i = 0; i < q.length; i++) q[i] = (float) r.nextGaussian() * 0.3f;
        try (KvStorage q8 = new KvStorage(1, 44, BLOCK, KV_HEADS, headDim, KvStorage.Precision.Q8_0);
             KvStorage f32 = new KvStorage(1, 44, BLOCK, KV_HEADS, headDim, KvStorage.Precision.F32);
             ReferenceAttention ref = new ReferenceAttention(HEADS, KV_HEADS, headDim);
             VectorAttention vec = new VectorAttention(HEADS, KV_HEADS, headDim, 128, 2, 8)) {
            q8.write(0, all, k, v, slots);
            f32.write(0, all, k, v, slots);
            for (int i = 0; i < 200; i++) { // stored values: q * scale with |q| <= 127, within half a step of the input
                int e = r.nextInt(k.length);
                float scale = q8.keyScales(0).getAtIndex(KvStorage.FLOAT, e / KvStorage.Q8_BLOCK);
                assertEquals(k[e], q8.key(0, e), scale / 2 + 1e-6f, "element " + e);
            }
            float[] want = new float[q.length];
            float[] got = new float[q.length];
            float[] exact = new float[q.length];
            ref.attend(b, tokenSeq(b), q, q8, 0, want);
            vec.attend(b, tokenSeq(b), q, q8, 0, got);
            ref.attend(b, tokenSeq(b), q, f32, 0, exact);
            for (int i = 0; i < q.length; i++) {
                assertEquals(want[i], got[i], 1e-4f, "vector vs reference on the q8_0 cache at " + i);
                assertEquals(exact[i], got[i], 0.03f, "q8_0 vs f32 cache at " + i);
            }
        }
    }
}
