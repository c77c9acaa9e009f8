package dev.gannet.runtime.cuda;

import static dev.gannet.runtime.cuda.GpuTestSupport.assertClose;
import static dev.gannet.runtime.cuda.GpuTestSupport.random;
import static dev.gannet.runtime.cuda.GpuTestSupport.roundTo;


import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Paged decode (split-context, under several splits) and ragged prefill attention against a plain-Java softmax
 * attention over the same paged cache, for every KV format: the activation dtype, Q8_0 and FP8 (the reference reads
 * the dequantized values, so only the kernels' own rounding is measured). Tolerance: f32 1e-4 absolute (exp and
 * reduction order differ); f16/bf16 the dtype's rounding of the output.
 */
@Tag("gpu")
class AttentionGpuTest {
    static final int BLOCK = 16;

    /** A paged cache holding random K and V, with each sequence's blocks shuffled across the pool. */
    record Paged(int numBlocks, int kvHeads, int headDim, float[] k, float[] v, int[][] tables, int maxBlocks) {
        /**
         * The cache in {@code f}: its device regions (data, scales) and, in place of k and v, the values the
         * kernels will read back (dequantized), which the reference attends over.
         */
        Encoded encode(KvFormat f) {
            return new Encoded(Encoded.codec(f, k, headDim), Encoded.codec(f, v, headDim));
        }
        static Paged random(Random rnd, int[] contexts, int kvHeads, int headDim, DeviceDtype t) {
            int maxBlocks = 0, total = 0;
            for (int c : contexts) { int b = (c + BLOCK - 1) / BLOCK; maxBlocks = Math.max(maxBlocks, b); total += b; }
            List<Integer> ids = new ArrayList<>();
            for (int i = 0; i < total + 3; i++) ids.add(i);
            Collections.shuffle(ids, rnd);
            int[][] tables = new int[contexts.length][maxBlocks];
            int next = 0;
            for (int s = 0; s < contexts.length; s++) {
                for (int b = 0; b < (contexts[s] + BLOCK - 1) / BLOCK; b++) tables[s][b] = ids.get(next++);
            }
            int n = (total + 3) * BLOCK * kvHeads * headDim;
            return new Paged(total + 3, kvHeads, headDim, roundTo(GpuTestSupport.random(rnd, n, 1f), t),
                    roundTo(GpuTestSupport.random(rnd, n, 1f), t), tables, maxBlocks);
        }

        int offset(int seq, int pos, int kvh) {
            int slot = tables[seq][pos / BLOCK] * BLOCK + pos % BLOCK;
            return (slot * kvHeads + kvh) * headDim;
        }

        int[] flatTables() {
            int[] f = new int[tables.length * maxBlocks];
            for (int s = 0; s < tables.length; s++) System.arraycopy(tables[s], 0, f, s * maxBlocks, maxBlocks);
            return f;
        }
    }

    /** One side (K or V) of the cache in a KV format: bytes for Q8_0/FP8 with their scales, and the values they hold. */
    record Side(float[] values, byte[] bytes, float[] scales) {}

    record Encoded(Side k, Side v) {
        static Side codec(KvFormat f, float[] x, int headDim) {
            switch (f) {
                case NATIVE -> { return new Side(x, null, null); }
                case Q8_0 -> {
                    byte[] q = new byte[x.length];
                    float[] sc = new float[x.length / 32];
                    float[] back = new float[x.length];
                    for (int b = 0; b < x.length / 32; b++) { // as KvStorage.quantize
                        float amax = 0;
                        for (int i = 0; i < 32; i++) amax = Math.max(amax, Math.abs(x[b * 32 + i]));
                        float d = amax / 127f, id = d == 0f ? 0f : 1f / d;
                        sc[b] = d;
                        for (int i = 0; i < 32; i++) {
                            q[b * 32 + i] = (byte) Math.max(-127, Math.min(127, Math.round(x[b * 32 + i] * id)));
                            back[b * 32 + i] = q[b * 32 + i] * d;
                        }
                    }
                    return new Side(back, q, sc);
                }
                default -> {
                    byte[] q = new byte[x.length];
                    float[] sc = new float[x.length / headDim];
                    float[] back = new float[x.length];
                    for (int r = 0; r < sc.length; r++) {
                        sc[r] = Fp8E4m3Reference.quantizeRow(x, r * headDim, headDim, q, r * headDim);
                        for (int i = 0; i < headDim; i++) back[r * headDim + i] = Fp8E4m3Reference.decode(q[r * headDim + i]) * sc[r];
                    }
                    return new Side(back, q, sc);
                }
            }
        }

        Paged over(Paged c) {
            return new Paged(c.numBlocks, c.kvHeads, c.headDim, k.values, v.values, c.tables, c.maxBlocks);
        }
    }

    /** Device pointers {data K, data V, scales K, scales V} of a cache in format f (scales 0 for NATIVE). */
    static long[] upload(GpuTestSupport g, Encoded e, KvFormat f, DeviceDtype t) {
        if (f == KvFormat.NATIVE) return new long[] {g.upload(e.k.values, t), g.upload(e.v.values, t), 0, 0};
        return new long[] {g.upload(e.k.bytes), g.upload(e.v.bytes), g.upload(e.k.scales, DeviceDtype.F32), g.upload(e.v.scales, DeviceDtype.F32)};
    }

    /** Softmax attention of one query row over keys [0, keys) of sequence seq, in double. */
    static void attend(Paged c, float[] q, int qOff, int seq, int kvh, int keys, float scale, float[] out, int outOff) {
        double[] s = new double[keys];
        double max = Double.NEGATIVE_INFINITY;
        for (int t = 0; t < keys; t++) {
            int o = c.offset(seq, t, kvh);
            double dot = 0;
            for (int d = 0; d < c.headDim; d++) dot += (double) q[qOff + d] * c.k[o + d];
            s[t] = dot * scale;
            max = Math.max(max, s[t]);
        }
        double sum = 0;
        for (int t = 0; t < keys; t++) { s[t] = Math.exp(s[t] - max); sum += s[t]; }
        for (int d = 0; d < c.headDim; d++) {
            double acc = 0;
            for (int t = 0; t < keys; t++) acc += s[t] * c.v[c.offset(seq, t, kvh) + d];
            out[outOff + d] = (float) (acc / sum);
        }
    }

    @ParameterizedTest
    @EnumSource(DeviceDtype.class)
    void pagedDecodeMatchesReference(DeviceDtype t) {
        for (KvFormat f : KvFormat.values()) {
            for (int headDim : new int[] {64, 128}) {
                decodeCase(t, f, new int[] {1, 300, 777, 16}, 8, 2, headDim, 11 + headDim);
                decodeCase(t, f, new int[] {513, 40}, 14, 2, headDim, 5 + headDim); // Qwen2.5-0.5B group of 7
            }
        }
        decodeCase(t, KvFormat.NATIVE, new int[] {5000}, 32, 8, 128, 99); // one long context: a chunked partition of 5000 tokens
    }

    private void decodeCase(DeviceDtype t, KvFormat f, int[] contexts, int heads, int kvHeads, int headDim, long seed) {
        Random rnd = new Random(seed);
        Paged raw = Paged.random(rnd, contexts, kvHeads, headDim, t);
        Encoded e = raw.encode(f);
        Paged c = e.over(raw);
        int seqs = contexts.length, maxCtx = 0;
        for (int x : contexts) maxCtx = Math.max(maxCtx, x);
        float[] q = roundTo(random(rnd, seqs * heads * headDim, 1f), t);
        float scale = (float) (1 / Math.sqrt(headDim));
        float[] want = new float[q.length];
        for (int s = 0; s < seqs; s++) {
            for (int h = 0; h < heads; h++) {
                int at = (s * heads + h) * headDim;
                attend(c, q, at, s, h / (heads / kvHeads), contexts[s], scale, want, at);
            }
        }
        // no split, the policy's split for a 132-SM GPU, and an odd split of 7 pieces: the merge must be exact for all
        DecodeSplit[] splits = {DecodeSplit.whole(maxCtx, BLOCK), DecodeSplit.choose(maxCtx, seqs, kvHeads, 132, BLOCK),
                DecodeSplit.evenly(maxCtx, Math.min(7, (maxCtx + BLOCK - 1) / BLOCK), BLOCK)};
        try (var g = GpuTestSupport.openOrSkip(); var k = CudaKernels.load(g.cuda, g.paths)) {
            long[] cache = upload(g, e, f, t);
            long dq = g.upload(q, t), tables = g.upload(c.flatTables()), ctx = g.upload(contexts);
            for (DecodeSplit split : splits) {
                long ws = CudaKernels.decodeWorkspaceBytes(seqs, heads, headDim, split);
                long out = g.alloc((long) q.length * t.bytes());
                k.pagedDecodeAttention(t, f, out, dq, cache[0], cache[1], cache[2], cache[3], tables, ctx, seqs, c.maxBlocks, heads,
                        kvHeads, headDim, BLOCK, split, scale, g.alloc(ws), ws);
                float tol = t == DeviceDtype.F32 ? 1e-4f : GpuTestSupport.atol(t);
                assertClose(want, g.download(out, q.length, t), tol, GpuTestSupport.rtol(t),
                        "decode " + t + " " + f + " headDim " + headDim + " " + split);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(DeviceDtype.class)
    void raggedPrefillMatchesReference(DeviceDtype t) {
        for (KvFormat f : KvFormat.values()) prefillCase(t, f);
    }

    private void prefillCase(DeviceDtype t, KvFormat f) {
        int[] qLens = {5, 37, 1, 70};
        int[] contexts = {5, 70, 20, 70}; // a fresh prompt, a chunk after a 33-token cached prefix, one token, a long prompt
        int heads = 8, kvHeads = 2, headDim = 64;
        Random rnd = new Random(3);
        Paged raw = Paged.random(rnd, contexts, kvHeads, headDim, t);
        Encoded e = raw.encode(f);
        Paged c = e.over(raw);
        int[] cu = new int[qLens.length + 1];
        for (int s = 0; s < qLens.length; s++) cu[s + 1] = cu[s] + qLens[s];
        int tokens = cu[qLens.length];
        float[] q = roundTo(random(rnd, tokens * heads * headDim, 1f), t);
        float scale = 0.125f;
        float[] want = new float[q.length];
        for (int s = 0; s < qLens.length; s++) {
            for (int i = 0; i < qLens[s]; i++) {
                int pos = contexts[s] - qLens[s] + i;
                for (int h = 0; h < heads; h++) {
                    int at = ((cu[s] + i) * heads + h) * headDim;
                    attend(c, q, at, s, h / (heads / kvHeads), pos + 1, scale, want, at);
                }
            }
        }
        try (var g = GpuTestSupport.openOrSkip(); var k = CudaKernels.load(g.cuda, g.paths)) {
            long out = g.alloc((long) q.length * t.bytes());
            long[] cache = upload(g, e, f, t);
            k.prefillAttention(t, f, out, g.upload(q, t), cache[0], cache[1], cache[2], cache[3], g.upload(c.flatTables()),
                    c.maxBlocks, g.upload(cu), g.upload(contexts), qLens.length, 70, heads, kvHeads, headDim, BLOCK, scale);
            float tol = t == DeviceDtype.F32 ? 1e-4f : GpuTestSupport.atol(t);
            assertClose(want, g.download(out, q.length, t), tol, GpuTestSupport.rtol(t), "prefill " + t + " " + f);
        }
    }
}
