package dev.gannet.runtime.kernel;

import static dev.gannet.runtime.kernel.Chunks.F;
import static dev.gannet.runtime.kernel.Chunks.L;
import static dev.gannet.runtime.kernel.Chunks.LE;

import dev.gannet.runtime.tensor.GgmlType;
import dev.gannet.runtime.tensor.WeightMatrix;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;

/**
 * Matmul of a contiguous range of weight rows, on the calling thread.
 *
 * <p>Reduction order (the same on every path, so a token's result never depends on the batch it is
 * in, nor on the thread count): for output (token t, row r) one 16-lane accumulator takes
 * {@code acc = w[16c..] * x[16c..] + acc} (fused) for chunks c = 0, 1, ... in order; the lanes are
 * summed by {@link Chunks#sumLanes}; the columns past the last whole chunk (only F32/F16/BF16 rows can have
 * them) are added by a scalar fused chain started at 0, and that tail is added last.
 *
 * <p>One token (decode): weights dequantized in registers, independent accumulator chains. Packed
 * Q8_0/Q4_0 (the default layout): two rows half a claimed range apart. File-layout Q8_0/Q4_0 pair
 * rows {@link #GAP} apart (more prefetch streams); BF16 and F32 take four rows at a time; F16 and
 * the K-quants stage four rows through L1 instead (converting is their cost, not reading).
 * Several tokens of packed Q8_0: two rows dequantized in registers into eight tokens at a time, the
 * tokens in blocks that fit the L2 ({@link #directPackedTokens}). Other types: four rows are
 * dequantized once into the per-thread staging buffer and reused by every token ({@link TiledKernels}).
 */
final class MatmulKernels {
    private MatmulKernels() {}

    /**
     * Activations per block of tokens in {@link #directPackedTokens}, which rereads a block's tokens for
     * every pair of rows and so wants them in the L2 (2 MiB a core here). ModelMatmulBench, TinyLlama-1.1B
     * Q8_0, tokens/s against the staged tiles: 1.2-1.3x from 24 to 64 tokens; with the whole batch as
     * one block, even at 96 and 0.85x at 128 (the FFN down projection's 5632 columns make 2.9 MB of tokens).
     */
    static final long DIRECT_MAX_X_BYTES = 3L << 19; // 1.5 MiB

    /** Whether rows go straight into several tokens ({@link #directPackedTokens}) rather than through the tiles. */
    static boolean directTokens(WeightMatrix w) {
        return w.packed() && w.type() == GgmlType.Q8_0;
    }

    /** Floats at the end of the staging buffer where accumulators are stored to be summed. */
    static final int REDUCE = 16 * L;

    /**
     * Floats of staging a thread needs: four dequantized rows of {@code cols}, then one 16-lane
     * accumulator per (row of 4, token) for the tiled batch kernel, then the reduce area.
     */
    static int stagingSize(int cols, int numTokens) {
        return 4 * cols + (numTokens > 1 ? 4 * L * numTokens : 0) + REDUCE;
    }

    /**
     * out[t * w.rows() + r] for rows [r0, r1) and tokens [0, numTokens).
     * x: (numTokens, w.cols) f32; out: (numTokens, w.rows) f32; stage: at least {@link #stagingSize} floats.
     */
    static void rows(WeightMatrix w, float[] x, MemorySegment xs, float[] out, int numTokens, int r0, int r1, float[] stage) {
        int r = r0;
        if (numTokens == 1 && w.packed()) {
            r = directPacked(w, r0, r1, x, out, stage);
        } else if (numTokens > 1 && directTokens(w)) {
            r = directPackedTokens(w, r0, r1, x, xs, out, numTokens, stage);
        } else if (numTokens == 1) {
            if (pairable(w.type())) {
                for (int g; (g = Math.min(GAP, (r1 - r) / 2)) >= 2; r += 2 * g) directPairs(w, r, g, x, out, stage);
            }
            for (; r + 4 <= r1; r += 4) direct4(w, r, x, out, stage);
        } else {
            int cols = w.cols();
            for (; r + 4 <= r1; r += 4) {
                for (int k = 0; k < 4; k++) stageRow(w, r + k, stage, k * cols);
                TiledKernels.rowGroup(stage, x, cols, numTokens, out, w.rows(), r);
            }
        }
        for (; r < r1; r++) { // rows left over when the range is not a multiple of 4
            stageRow(w, r, stage, 0);
            for (int t = 0; t < numTokens; t++) out[t * w.rows() + r] = kernel1x1(stage, 0, x, t * w.cols(), w.cols());
        }
    }

    /**
     * Writes row {@code row} of {@code w}, dequantized, to s[off, off + cols). One small method per
     * type so that C2 compiles each loop with its dequantizer inlined (a shared switch grows too big).
     */
    static void stageRow(WeightMatrix w, int row, float[] s, int off) {
        if (w.packed()) {
            stagePacked(w, row, s, off);
            return;
        }
        MemorySegment d = w.data();
        long at = row * w.rowStride();
        int chunks = w.cols() / L;
        switch (w.type()) {
            case Q8_0 -> stageQ8_0(d, at, chunks, s, off);
            case Q4_0 -> stageQ4_0(d, at, chunks, s, off);
            case F16 -> stageF16(d, at, chunks, s, off);
            case BF16 -> stageBF16(d, at, chunks, s, off);
            case F32 -> stageF32(d, at, chunks, s, off);
            case Q4_K -> stageQ4_K(d, at, chunks, s, off);
            case Q6_K -> stageQ6_K(d, at, chunks, s, off);
            default -> throw ReferenceKernels.unsupported(w);
        }
        for (int i = chunks * L; i < w.cols(); i++) s[off + i] = element(w, at, i);
    }

    private static void stagePacked(WeightMatrix w, int row, float[] s, int off) {
        MemorySegment q = w.data(), sc = w.scales();
        long at = row * w.rowStride(), sAt = row * w.scaleStride();
        int blocks = w.cols() / 32;
        if (w.type() == GgmlType.Q8_0) {
            for (int b = 0; b < blocks; b++) {
                float scale = sc.get(Chunks.LE_FLOAT, sAt + 4L * b);
                Chunks.q8(q, at + 32L * b, scale).intoArray(s, off + 32 * b);
                Chunks.q8(q, at + 32L * b + 16, scale).intoArray(s, off + 32 * b + L);
            }
        } else {
            for (int b = 0; b < blocks; b++) {
                float scale = sc.get(Chunks.LE_FLOAT, sAt + 4L * b);
                IntVector v = Chunks.nibbles(q, at + 16L * b);
                Chunks.q4_0Packed(v, 0, scale).intoArray(s, off + 32 * b);
                Chunks.q4_0Packed(v, 1, scale).intoArray(s, off + 32 * b + L);
            }
        }
    }

    private static void stageQ8_0(MemorySegment d, long at, int chunks, float[] s, int off) {
        for (int b = 0; b < chunks / 2; b++) {
            long bo = at + 34L * b;
            float scale = Chunks.f16(d, bo);
            Chunks.q8_0(d, bo, 0, scale).intoArray(s, off + 32 * b);
            Chunks.q8_0(d, bo, 1, scale).intoArray(s, off + 32 * b + L);
        }
    }

    private static void stageQ4_0(MemorySegment d, long at, int chunks, float[] s, int off) {
        for (int b = 0; b < chunks / 2; b++) {
            long bo = at + 18L * b;
            float scale = Chunks.f16(d, bo);
            IntVector q = Chunks.q4_0Bytes(d, bo);
            Chunks.q4_0(q, 0, scale).intoArray(s, off + 32 * b);
            Chunks.q4_0(q, 1, scale).intoArray(s, off + 32 * b + L);
        }
    }

    /**
     * A scalar loop on purpose: C2 vectorizes {@code Float.float16ToFloat} over a segment into the
     * hardware conversion (F16C), which the Vector API cannot express; emulating it lane-wise in
     * integer operations (as this class did) cost ten operations a vector. Measured: a TinyLlama-1.1B
     * F16 decode step's matmuls take 123 ms staged this way against 166 ms converting in registers.
     * The conversion is exact either way.
     */
    private static void stageF16(MemorySegment d, long at, int chunks, float[] s, int off) {
        int n = chunks * L;
        for (int i = 0; i < n; i++) s[off + i] = Float.float16ToFloat(d.get(Chunks.LE_SHORT, at + 2L * i));
    }

    private static void stageBF16(MemorySegment d, long at, int chunks, float[] s, int off) {
        for (int c = 0; c < chunks; c++) Chunks.bf16(d, at, c).intoArray(s, off + L * c);
    }

    private static void stageF32(MemorySegment d, long at, int chunks, float[] s, int off) {
        for (int c = 0; c < chunks; c++) Chunks.f32(d, at, c).intoArray(s, off + L * c);
    }

    private static void stageQ4_K(MemorySegment d, long at, int chunks, float[] s, int off) {
        for (int b = 0; b < chunks / 16; b++) Chunks.q4_KBlock(d, at + 144L * b, s, off + 256 * b);
    }

    private static void stageQ6_K(MemorySegment d, long at, int chunks, float[] s, int off) {
        for (int b = 0; b < chunks / 16; b++) Chunks.q6_KBlock(d, at + 210L * b, s, off + 256 * b);
    }

    /** One value of a plain-typed row (the only types whose rows can end in a partial chunk). */
    private static float element(WeightMatrix w, long rowAt, int i) {
        MemorySegment d = w.data();
        return switch (w.type()) {
            case F32 -> d.get(Chunks.LE_FLOAT, rowAt + 4L * i);
            case F16 -> Float.float16ToFloat(d.get(Chunks.LE_SHORT, rowAt + 2L * i));
            case BF16 -> ReferenceKernels.bf16ToFloat(d.get(Chunks.LE_SHORT, rowAt + 2L * i));
            default -> throw new IllegalStateException(w.name() + ": " + w.type() + " rows are whole blocks");
        };
    }

    /** The scalar tail chain over columns [from, cols). */
    static float tail(float[] s, int sOff, float[] x, int xOff, int from, int cols) {
        float acc = 0f;
        for (int i = from; i < cols; i++) acc = Math.fma(s[sOff + i], x[xOff + i], acc);
        return acc;
    }

    private static float tailDirect(WeightMatrix w, long rowAt, float[] x, int from) {
        float acc = 0f;
        for (int i = from; i < w.cols(); i++) acc = Math.fma(element(w, rowAt, i), x[i], acc);
        return acc;
    }

    // ---- one token: rows straight from the weights -------------------------------------------------

    /**
     * Row distance within a pair of the one-token path: rows r + i and r + GAP + i share a loop.
     * Two weight streams some rows apart read from DRAM measurably faster than two adjacent rows
     * (about 20% on the TinyLlama shapes, 2 threads, mapped weights: the hardware prefetchers keep
     * more lines in flight; 8 and 32 measured alike). A row's reduction order does not change.
     */
    static final int GAP = 8;

    private static boolean pairable(GgmlType t) {
        return t == GgmlType.Q8_0 || t == GgmlType.Q4_0;
    }

    /** Rows r .. r + 2 gap - 1 of a pairable type: gap two-row loops over rows (r + i, r + gap + i). */
    private static void directPairs(WeightMatrix w, int r, int gap, float[] x, float[] out, float[] s) {
        MemorySegment d = w.data();
        long rb = w.rowStride();
        long p = r * rb;
        long dist = gap * rb;
        int chunks = w.cols() / L;
        int red = s.length - REDUCE;
        int from = chunks * L;
        boolean hasTail = from < w.cols();
        GgmlType type = w.type();
        for (int i = 0; i < gap; i++) {
            long pi = p + i * rb;
            switch (type) {
                case Q8_0 -> directQ8_0(d, pi, dist, chunks, x, s, red);
                case Q4_0 -> directQ4_0(d, pi, dist, chunks, x, s, red);
                default -> throw ReferenceKernels.unsupported(w);
            }
            out[r + i] = Chunks.sumLanes(s, red) + (hasTail ? tailDirect(w, pi, x, from) : 0f);
            out[r + gap + i] = Chunks.sumLanes(s, red + L) + (hasTail ? tailDirect(w, pi + dist, x, from) : 0f);
        }
    }

    private static void direct4(WeightMatrix w, int r, float[] x, float[] out, float[] s) {
        MemorySegment d = w.data();
        long rb = w.rowStride();
        long p = r * rb;
        int chunks = w.cols() / L;
        int red = s.length - REDUCE;
        switch (w.type()) {
            case Q8_0 -> {
                directQ8_0(d, p, rb, chunks, x, s, red);
                directQ8_0(d, p + 2 * rb, rb, chunks, x, s, red + 2 * L);
            }
            case Q4_0 -> {
                directQ4_0(d, p, rb, chunks, x, s, red);
                directQ4_0(d, p + 2 * rb, rb, chunks, x, s, red + 2 * L);
            }
            case BF16 -> directBF16(d, p, rb, chunks, x, s, red);
            case F32 -> directF32(d, p, rb, chunks, x, s, red);
            case F16, Q4_K, Q6_K -> { // converting is the cost here, so staging through L1 costs little
                for (int k = 0; k < 4; k++) stageRow(w, r + k, s, k * w.cols());
                kernel4x1(s, x, w.cols(), 0, out, w.rows(), r);
                return;
            }
            default -> throw ReferenceKernels.unsupported(w);
        }
        int from = chunks * L;
        boolean hasTail = from < w.cols();
        for (int k = 0; k < 4; k++) {
            out[r + k] = Chunks.sumLanes(s, red + L * k) + (hasTail ? tailDirect(w, p + k * rb, x, from) : 0f);
        }
    }

    // ---- one token, packed rows ---------------------------------------------------------------------

    /**
     * Rows [r0, r1) of a packed matrix, one token. Weight streams far apart keep more DRAM lines in
     * flight than adjacent rows, and more streams more lines: Q8_0 runs four rows a quarter of the range
     * apart (a TinyLlama-1.1B step's matmuls: 55 ms, against 64 with two rows half the range apart and
     * 78 in the file layout); Q4_0 runs two rows half the range apart, because four Q4_0 rows in one loop
     * exceed C2's inlining node budget and its vectors would be boxed. Returns the first row it did not
     * compute (at most three remain).
     */
    private static int directPacked(WeightMatrix w, int r0, int r1, float[] x, float[] out, float[] s) {
        int red = s.length - REDUCE;
        if (w.type() == GgmlType.Q8_0) {
            int g = (r1 - r0) / 4;
            for (int i = 0; i < g; i++) {
                int r = r0 + i;
                packedQ8_0Rows4(w, r, g, x, s, red);
                for (int k = 0; k < 4; k++) out[r + k * g] = Chunks.sumLanes(s, red + k * L);
            }
            return r0 + 4 * g;
        }
        int g = (r1 - r0) / 2;
        for (int i = 0; i < g; i++) {
            int r = r0 + i;
            packedQ4_0(w, r, g, x, s, red);
            writePairs(s, red, 1, out, 0, w.rows(), r, g);
        }
        return r0 + 2 * g;
    }

    /**
     * Rows [r0, r1) of a packed Q8_0 matrix times the tokens, with no staging: each 16 weights are
     * dequantized once in registers and multiplied into eight tokens at a time, two rows half the
     * range apart. The tokens go in blocks that fit the L2 ({@link #tokenBlock}), each block over
     * every row of the range (whose weights, a claim of rows, stay in the L2 between blocks). Each
     * output keeps the one-token path's chain (chunk by chunk, the same dequantized value), so
     * results are bit-identical to it. Returns the first row it did not compute.
     */
    private static int directPackedTokens(WeightMatrix w, int r0, int r1, float[] x, MemorySegment xs, float[] out, int numTokens, float[] s) {
        int g = (r1 - r0) / 2;
        int red = s.length - REDUCE;
        int block = tokenBlock(w.cols());
        for (int t0 = 0; t0 < numTokens; t0 += block) {
            int t1 = Math.min(numTokens, t0 + block);
            for (int i = 0; i < g; i++) {
                int r = r0 + i;
                int t = t0;
                for (; t + 8 <= t1; t += 8) packedQ8_0x8(w, r, g, xs, t, out, s, red);
                for (; t + 4 <= t1; t += 4) packedQ8_0x4(w, r, g, x, t, out, s, red);
                for (; t < t1; t++) {
                    packedQ8_0(w, r, g, x, t * w.cols(), s, red);
                    writePairs(s, red, 1, out, t, w.rows(), r, g);
                }
            }
        }
        return r0 + 2 * g;
    }

    /**
     * Tokens per block of {@link #directPackedTokens}: a multiple of 8 whose activations take at most
     * {@link #DIRECT_MAX_X_BYTES}, and at least 8.
     */
    static int tokenBlock(int cols) {
        return (int) Math.max(8, DIRECT_MAX_X_BYTES / (4L * cols) / 8 * 8);
    }

    /**
     * Rows r and r + g of a packed Q8_0 matrix times tokens t..t+7: out[(t + j) * rows + row]. The
     * tokens come from {@code xs}, 64-byte aligned and interleaved ({@link #interleave}): one base
     * address and no cache-line-split loads, where eight heap rows cost eight live pointers
     * (C2 spilled them) and a split line per 512-bit load.
     */
    private static void packedQ8_0x8(WeightMatrix w, int r, int g, MemorySegment xs, int t, float[] out, float[] s, int red) {
        MemorySegment q = w.data(), sc = w.scales();
        long qd = w.rowStride() * g, sd = w.scaleStride() * g;
        long p = r * w.rowStride(), sp = r * w.scaleStride();
        int cols = w.cols();
        int blocks = cols / 32;
        long xb = 4L * t * cols;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0, b4 = a0, b5 = a0, b6 = a0, b7 = a0;
        for (int b = 0; b < blocks; b++) { // a block's two chunks share its scale loads
            long so = sp + 4L * b, o = p + 32L * b, xo = xb + 1024L * b;
            float s0 = sc.get(Chunks.LE_FLOAT, so), s1 = sc.get(Chunks.LE_FLOAT, so + sd);
            FloatVector w0 = Chunks.q8(q, o, s0), w1 = Chunks.q8(q, o + qd, s1), x0;
            x0 = FloatVector.fromMemorySegment(F, xs, xo, LE);
            a0 = w0.fma(x0, a0); b0 = w1.fma(x0, b0);
            x0 = FloatVector.fromMemorySegment(F, xs, xo + 64, LE);
            a1 = w0.fma(x0, a1); b1 = w1.fma(x0, b1);
            x0 = FloatVector.fromMemorySegment(F, xs, xo + 128, LE);
            a2 = w0.fma(x0, a2); b2 = w1.fma(x0, b2);
            x0 = FloatVector.fromMemorySegment(F, xs, xo + 192, LE);
            a3 = w0.fma(x0, a3); b3 = w1.fma(x0, b3);
            x0 = FloatVector.fromMemorySegment(F, xs, xo + 256, LE);
            a4 = w0.fma(x0, a4); b4 = w1.fma(x0, b4);
            x0 = FloatVector.fromMemorySegment(F, xs, xo + 320, LE);
            a5 = w0.fma(x0, a5); b5 = w1.fma(x0, b5);
            x0 = FloatVector.fromMemorySegment(F, xs, xo + 384, LE);
            a6 = w0.fma(x0, a6); b6 = w1.fma(x0, b6);
            x0 = FloatVector.fromMemorySegment(F, xs, xo + 448, LE);
            a7 = w0.fma(x0, a7); b7 = w1.fma(x0, b7);
            w0 = Chunks.q8(q, o + 16, s0);
            w1 = Chunks.q8(q, o + qd + 16, s1);
            x0 = FloatVector.fromMemorySegment(F, xs, xo + 512, LE);
            a0 = w0.fma(x0, a0); b0 = w1.fma(x0, b0);
            x0 = FloatVector.fromMemorySegment(F, xs, xo + 576, LE);
            a1 = w0.fma(x0, a1); b1 = w1.fma(x0, b1);
            x0 = FloatVector.fromMemorySegment(F, xs, xo + 640, LE);
            a2 = w0.fma(x0, a2); b2 = w1.fma(x0, b2);
            x0 = FloatVector.fromMemorySegment(F, xs, xo + 704, LE);
            a3 = w0.fma(x0, a3); b3 = w1.fma(x0, b3);
            x0 = FloatVector.fromMemorySegment(F, xs, xo + 768, LE);
            a4 = w0.fma(x0, a4); b4 = w1.fma(x0, b4);
            x0 = FloatVector.fromMemorySegment(F, xs, xo + 832, LE);
            a5 = w0.fma(x0, a5); b5 = w1.fma(x0, b5);
            x0 = FloatVector.fromMemorySegment(F, xs, xo + 896, LE);
            a6 = w0.fma(x0, a6); b6 = w1.fma(x0, b6);
            x0 = FloatVector.fromMemorySegment(F, xs, xo + 960, LE);
            a7 = w0.fma(x0, a7); b7 = w1.fma(x0, b7);
        }
        int rows = w.rows();
        a0.intoArray(s, red); b0.intoArray(s, red + L);
        a1.intoArray(s, red + 2 * L); b1.intoArray(s, red + 3 * L);
        a2.intoArray(s, red + 4 * L); b2.intoArray(s, red + 5 * L);
        a3.intoArray(s, red + 6 * L); b3.intoArray(s, red + 7 * L);
        a4.intoArray(s, red + 8 * L); b4.intoArray(s, red + 9 * L);
        a5.intoArray(s, red + 10 * L); b5.intoArray(s, red + 11 * L);
        a6.intoArray(s, red + 12 * L); b6.intoArray(s, red + 13 * L);
        a7.intoArray(s, red + 14 * L); b7.intoArray(s, red + 15 * L);
        writePairs(s, red, 8, out, t, rows, r, g);
    }

    /**
     * Outputs of rows r and r + g for tokens t..t+n-1 from accumulators stored in pairs at s[red, +2nL):
     * token t + j's row r at red + 2jL, its row r + g right after.
     */
    private static void writePairs(float[] s, int red, int n, float[] out, int t, int rows, int r, int g) {
        for (int j = 0; j < n; j++) {
            out[(t + j) * rows + r] = Chunks.sumLanes(s, red + 2 * j * L);
            out[(t + j) * rows + r + g] = Chunks.sumLanes(s, red + (2 * j + 1) * L);
        }
    }

    /** Whether a call multiplies groups of eight tokens by {@link #packedQ8_0x8}, which reads x from {@link #interleave}. */
    static boolean readsInterleaved(WeightMatrix w, int numTokens) {
        return numTokens >= 8 && directTokens(w);
    }

    /** Bytes {@link #interleave} writes for this call. */
    static long interleavedBytes(int numTokens, int cols) {
        return 4L * (numTokens / 8 * 8) * cols;
    }

    /**
     * Groups of eight tokens of x (numTokens, cols) into d, chunk-major: chunk c of token t + j (t a
     * multiple of 8) at byte 4 t cols + 64 (8c + j). Tokens past the last whole group are not copied.
     */
    static void interleave(float[] x, int numTokens, int cols, MemorySegment d) {
        int chunks = cols / L;
        for (int t = 0; t + 8 <= numTokens; t += 8) {
            long base = 4L * t * cols;
            for (int c = 0; c < chunks; c++) {
                for (int j = 0; j < 8; j++) {
                    FloatVector.fromArray(F, x, (t + j) * cols + L * c).intoMemorySegment(d, base + 64L * (8 * c + j), Chunks.LE);
                }
            }
        }
    }

    /** Rows r and r + g of a packed Q8_0 matrix times tokens t..t+3: out[(t + j) * rows + row]. */
    private static void packedQ8_0x4(WeightMatrix w, int r, int g, float[] x, int t, float[] out, float[] s, int red) {
        MemorySegment q = w.data(), sc = w.scales();
        long qd = w.rowStride() * g, sd = w.scaleStride() * g;
        long p = r * w.rowStride(), sp = r * w.scaleStride();
        int cols = w.cols();
        int blocks = cols / 32;
        int xt = t * cols;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        for (int c = 0; c < 2 * blocks; c++) {
            long o = p + 16L * c, so = sp + 4L * (c >> 1);
            FloatVector w0 = Chunks.q8(q, o, sc.get(Chunks.LE_FLOAT, so));
            FloatVector w1 = Chunks.q8(q, o + qd, sc.get(Chunks.LE_FLOAT, so + sd));
            int xo = xt + L * c;
            FloatVector x0 = FloatVector.fromArray(F, x, xo);
            a0 = w0.fma(x0, a0); b0 = w1.fma(x0, b0);
            FloatVector x1 = FloatVector.fromArray(F, x, xo + cols);
            a1 = w0.fma(x1, a1); b1 = w1.fma(x1, b1);
            FloatVector x2 = FloatVector.fromArray(F, x, xo + 2 * cols);
            a2 = w0.fma(x2, a2); b2 = w1.fma(x2, b2);
            FloatVector x3 = FloatVector.fromArray(F, x, xo + 3 * cols);
            a3 = w0.fma(x3, a3); b3 = w1.fma(x3, b3);
        }
        int rows = w.rows();
        a0.intoArray(s, red); b0.intoArray(s, red + L);
        a1.intoArray(s, red + 2 * L); b1.intoArray(s, red + 3 * L);
        a2.intoArray(s, red + 4 * L); b2.intoArray(s, red + 5 * L);
        a3.intoArray(s, red + 6 * L); b3.intoArray(s, red + 7 * L);
        writePairs(s, red, 4, out, t, rows, r, g);
    }

    /** Rows r, r + g, r + 2g, r + 3g of a packed Q8_0 matrix times one token; accumulators to s[red, +64). */
    private static void packedQ8_0Rows4(WeightMatrix w, int r, int g, float[] x, float[] s, int red) {
        MemorySegment q = w.data(), sc = w.scales();
        long qd = w.rowStride() * g, sd = w.scaleStride() * g;
        long p = r * w.rowStride(), sp = r * w.scaleStride();
        int blocks = w.cols() / 32;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < blocks; b++) {
            FloatVector xl = FloatVector.fromArray(F, x, 32 * b);
            FloatVector xh = FloatVector.fromArray(F, x, 32 * b + L);
            long o = p + 32L * b, so = sp + 4L * b;
            float s0 = sc.get(Chunks.LE_FLOAT, so), s1 = sc.get(Chunks.LE_FLOAT, so + sd);
            float s2 = sc.get(Chunks.LE_FLOAT, so + 2 * sd), s3 = sc.get(Chunks.LE_FLOAT, so + 3 * sd);
            a0 = Chunks.q8(q, o, s0).fma(xl, a0);
            a1 = Chunks.q8(q, o + qd, s1).fma(xl, a1);
            a2 = Chunks.q8(q, o + 2 * qd, s2).fma(xl, a2);
            a3 = Chunks.q8(q, o + 3 * qd, s3).fma(xl, a3);
            a0 = Chunks.q8(q, o + 16, s0).fma(xh, a0);
            a1 = Chunks.q8(q, o + qd + 16, s1).fma(xh, a1);
            a2 = Chunks.q8(q, o + 2 * qd + 16, s2).fma(xh, a2);
            a3 = Chunks.q8(q, o + 3 * qd + 16, s3).fma(xh, a3);
        }
        a0.intoArray(s, red); a1.intoArray(s, red + L); a2.intoArray(s, red + 2 * L); a3.intoArray(s, red + 3 * L);
    }

    /** Rows r and r + g of a packed Q8_0 matrix times the token at x[xOff]; accumulators to s[red, +32). */
    private static void packedQ8_0(WeightMatrix w, int r, int g, float[] x, int xOff, float[] s, int red) {
        MemorySegment q = w.data(), sc = w.scales();
        long qd = w.rowStride() * g, sd = w.scaleStride() * g;
        long p = r * w.rowStride(), sp = r * w.scaleStride();
        int blocks = w.cols() / 32;
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        for (int b = 0; b < blocks; b++) {
            FloatVector xl = FloatVector.fromArray(F, x, xOff + 32 * b);
            FloatVector xh = FloatVector.fromArray(F, x, xOff + 32 * b + L);
            long o = p + 32L * b, so = sp + 4L * b;
            float s0 = sc.get(Chunks.LE_FLOAT, so), s1 = sc.get(Chunks.LE_FLOAT, so + sd);
            a0 = Chunks.q8(q, o, s0).fma(xl, a0);
            a1 = Chunks.q8(q, o + qd, s1).fma(xl, a1);
            a0 = Chunks.q8(q, o + 16, s0).fma(xh, a0);
            a1 = Chunks.q8(q, o + qd + 16, s1).fma(xh, a1);
        }
        a0.intoArray(s, red);
        a1.intoArray(s, red + L);
    }

    /** Rows r and r + g of a packed Q4_0 matrix times x; accumulators to s[red, +32). */
    private static void packedQ4_0(WeightMatrix w, int r, int g, float[] x, float[] s, int red) {
        MemorySegment q = w.data(), sc = w.scales();
        long qd = w.rowStride() * g, sd = w.scaleStride() * g;
        long p = r * w.rowStride(), sp = r * w.scaleStride();
        int blocks = w.cols() / 32;
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        for (int b = 0; b < blocks; b++) {
            FloatVector xl = FloatVector.fromArray(F, x, 32 * b);
            FloatVector xh = FloatVector.fromArray(F, x, 32 * b + L);
            long o = p + 16L * b, so = sp + 4L * b;
            float s0 = sc.get(Chunks.LE_FLOAT, so), s1 = sc.get(Chunks.LE_FLOAT, so + sd);
            IntVector q0 = Chunks.nibbles(q, o), q1 = Chunks.nibbles(q, o + qd);
            a0 = Chunks.q4_0Packed(q0, 0, s0).fma(xl, a0);
            a1 = Chunks.q4_0Packed(q1, 0, s1).fma(xl, a1);
            a0 = Chunks.q4_0Packed(q0, 1, s0).fma(xh, a0);
            a1 = Chunks.q4_0Packed(q1, 1, s1).fma(xh, a1);
        }
        a0.intoArray(s, red);
        a1.intoArray(s, red + L);
    }

    /** Two rows per call: measured faster than four here (and within C2's inlining budget). */
    private static void directQ8_0(MemorySegment d, long p, long rb, int chunks, float[] x, float[] s, int red) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        for (int b = 0; b < chunks / 2; b++) {
            FloatVector xl = FloatVector.fromArray(F, x, 32 * b);
            FloatVector xh = FloatVector.fromArray(F, x, 32 * b + L);
            long o0 = p + 34L * b, o1 = o0 + rb;
            float s0 = Chunks.f16(d, o0), s1 = Chunks.f16(d, o1);
            a0 = Chunks.q8_0(d, o0, 0, s0).fma(xl, a0);
            a1 = Chunks.q8_0(d, o1, 0, s1).fma(xl, a1);
            a0 = Chunks.q8_0(d, o0, 1, s0).fma(xh, a0);
            a1 = Chunks.q8_0(d, o1, 1, s1).fma(xh, a1);
        }
        a0.intoArray(s, red);
        a1.intoArray(s, red + L);
    }

    /** Two rows per call: four rows in one loop exceed C2's inlining node budget (then vectors box). */
    private static void directQ4_0(MemorySegment d, long p, long rb, int chunks, float[] x, float[] s, int red) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        for (int b = 0; b < chunks / 2; b++) {
            FloatVector xl = FloatVector.fromArray(F, x, 32 * b);
            FloatVector xh = FloatVector.fromArray(F, x, 32 * b + L);
            long o0 = p + 18L * b, o1 = o0 + rb;
            IntVector q0 = Chunks.q4_0Bytes(d, o0), q1 = Chunks.q4_0Bytes(d, o1);
            float s0 = Chunks.f16(d, o0), s1 = Chunks.f16(d, o1);
            a0 = Chunks.q4_0(q0, 0, s0).fma(xl, a0);
            a1 = Chunks.q4_0(q1, 0, s1).fma(xl, a1);
            a0 = Chunks.q4_0(q0, 1, s0).fma(xh, a0);
            a1 = Chunks.q4_0(q1, 1, s1).fma(xh, a1);
        }
        a0.intoArray(s, red);
        a1.intoArray(s, red + L);
    }

    private static void directBF16(MemorySegment d, long p, long rb, int chunks, float[] x, float[] s, int red) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int c = 0; c < chunks; c++) {
            FloatVector xv = FloatVector.fromArray(F, x, L * c);
            a0 = Chunks.bf16(d, p, c).fma(xv, a0);
            a1 = Chunks.bf16(d, p + rb, c).fma(xv, a1);
            a2 = Chunks.bf16(d, p + 2 * rb, c).fma(xv, a2);
            a3 = Chunks.bf16(d, p + 3 * rb, c).fma(xv, a3);
        }
        a0.intoArray(s, red);
        a1.intoArray(s, red + L);
        a2.intoArray(s, red + 2 * L);
        a3.intoArray(s, red + 3 * L);
    }

    private static void directF32(MemorySegment d, long p, long rb, int chunks, float[] x, float[] s, int red) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int c = 0; c < chunks; c++) {
            FloatVector xv = FloatVector.fromArray(F, x, L * c);
            a0 = Chunks.f32(d, p, c).fma(xv, a0);
            a1 = Chunks.f32(d, p + rb, c).fma(xv, a1);
            a2 = Chunks.f32(d, p + 2 * rb, c).fma(xv, a2);
            a3 = Chunks.f32(d, p + 3 * rb, c).fma(xv, a3);
        }
        a0.intoArray(s, red);
        a1.intoArray(s, red + L);
        a2.intoArray(s, red + 2 * L);
        a3.intoArray(s, red + 3 * L);
    }



    // ---- several tokens: staged rows -----------------------------------------------------------------

    /** Rows r..r+3 (staged) times token t. */
    private static void kernel4x1(float[] s, float[] x, int cols, int t, float[] out, int outRows, int r) {
        int chunks = cols / L;
        int x0 = t * cols;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int o = 0; o < chunks * L; o += L) {
            FloatVector xv = FloatVector.fromArray(F, x, x0 + o);
            a0 = FloatVector.fromArray(F, s, o).fma(xv, a0);
            a1 = FloatVector.fromArray(F, s, cols + o).fma(xv, a1);
            a2 = FloatVector.fromArray(F, s, 2 * cols + o).fma(xv, a2);
            a3 = FloatVector.fromArray(F, s, 3 * cols + o).fma(xv, a3);
        }
        int red = s.length - REDUCE;
        a0.intoArray(s, red); a1.intoArray(s, red + L); a2.intoArray(s, red + 2 * L); a3.intoArray(s, red + 3 * L);
        int from = chunks * L;
        int o = t * outRows + r;
        for (int k = 0; k < 4; k++) out[o + k] = Chunks.sumLanes(s, red + L * k) + tail(s, k * cols, x, x0, from, cols);
    }

    /** One staged row at s[sOff] times one token at x[xOff]. */
    static float kernel1x1(float[] s, int sOff, float[] x, int xOff, int cols) {
        int chunks = cols / L;
        FloatVector a = FloatVector.zero(F);
        for (int o = 0; o < chunks * L; o += L) a = FloatVector.fromArray(F, s, sOff + o).fma(FloatVector.fromArray(F, x, xOff + o), a);
        int red = s.length - REDUCE;
        a.intoArray(s, red);
        return Chunks.sumLanes(s, red) + tail(s, sOff, x, xOff, chunks * L, cols);
    }
}
