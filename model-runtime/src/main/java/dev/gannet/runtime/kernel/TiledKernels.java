package dev.gannet.runtime.kernel;

import static dev.gannet.runtime.kernel.Chunks.F;
import static dev.gannet.runtime.kernel.Chunks.L;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * Four staged weight rows times a batch of tokens, tiled over K so that a tile of the four rows
 * (4 x {@link #KT} floats) and of four tokens stay in L1 while every token of the batch passes
 * over them; four rows by four tokens per step, 16 accumulators in registers. Between K tiles an
 * accumulator is stored in the staging buffer and loaded back, which is exact: each output keeps
 * the reduction order {@link MatmulKernels} defines (chunks in order, then the lane sum, then tail).
 */
final class TiledKernels {
    /** Floats of K per tile: 4 rows + 4 tokens x 2 KiB = 16 KiB, a third of a 48 KiB L1. */
    static final int KT = 512;

    private TiledKernels() {}

    /**
     * Rows r..r+3 (dequantized at s[k * cols]) times tokens [0, numTokens): out[t * outRows + r + k].
     * Accumulator of (token t, row k) at s[acc + (4t + k) * 16], acc = 4 * cols.
     */
    static void rowGroup(float[] s, float[] x, int cols, int numTokens, float[] out, int outRows, int r) {
        int acc = 4 * cols;
        int kEnd = cols / L * L;
        Arrays.fill(s, acc, acc + 4 * L * numTokens, 0f); // fma onto +0.0 as the direct path starts
        for (int k0 = 0; k0 < kEnd; k0 += KT) {
            int k1 = Math.min(kEnd, k0 + KT);
            int t = 0;
            for (; t + 4 <= numTokens; t += 4) tile4x4(s, x, cols, t, k0, k1, acc + 4 * L * t);
            for (; t < numTokens; t++) tile4x1(s, x, cols, t, k0, k1, acc + 4 * L * t);
        }
        for (int t = 0; t < numTokens; t++) {
            int o = t * outRows + r;
            int xo = t * cols;
            for (int k = 0; k < 4; k++) {
                out[o + k] = Chunks.sumLanes(s, acc + L * (4 * t + k)) + MatmulKernels.tail(s, k * cols, x, xo, kEnd, cols);
            }
        }
    }

    /** Columns [k0, k1) of rows 0..3 times tokens t..t+3; accumulators at s[a + 16 (4j + k)]. */
    private static void tile4x4(float[] s, float[] x, int cols, int t, int k0, int k1, int a) {
        int s1 = cols, s2 = 2 * cols, s3 = 3 * cols;
        int x0 = t * cols, x1 = x0 + cols, x2 = x1 + cols, x3 = x2 + cols;
        FloatVector a00 = FloatVector.fromArray(F, s, a), a10 = FloatVector.fromArray(F, s, a + L);
        FloatVector a20 = FloatVector.fromArray(F, s, a + 2 * L), a30 = FloatVector.fromArray(F, s, a + 3 * L);
        FloatVector a01 = FloatVector.fromArray(F, s, a + 4 * L), a11 = FloatVector.fromArray(F, s, a + 5 * L);
        FloatVector a21 = FloatVector.fromArray(F, s, a + 6 * L), a31 = FloatVector.fromArray(F, s, a + 7 * L);
        FloatVector a02 = FloatVector.fromArray(F, s, a + 8 * L), a12 = FloatVector.fromArray(F, s, a + 9 * L);
        FloatVector a22 = FloatVector.fromArray(F, s, a + 10 * L), a32 = FloatVector.fromArray(F, s, a + 11 * L);
        FloatVector a03 = FloatVector.fromArray(F, s, a + 12 * L), a13 = FloatVector.fromArray(F, s, a + 13 * L);
        FloatVector a23 = FloatVector.fromArray(F, s, a + 14 * L), a33 = FloatVector.fromArray(F, s, a + 15 * L);
        for (int o = k0; o < k1; o += L) {
            FloatVector w0 = FloatVector.fromArray(F, s, o);
            FloatVector w1 = FloatVector.fromArray(F, s, s1 + o);
            FloatVector w2 = FloatVector.fromArray(F, s, s2 + o);
            FloatVector w3 = FloatVector.fromArray(F, s, s3 + o);
            FloatVector xv = FloatVector.fromArray(F, x, x0 + o);
            a00 = w0.fma(xv, a00); a10 = w1.fma(xv, a10); a20 = w2.fma(xv, a20); a30 = w3.fma(xv, a30);
            xv = FloatVector.fromArray(F, x, x1 + o);
            a01 = w0.fma(xv, a01); a11 = w1.fma(xv, a11); a21 = w2.fma(xv, a21); a31 = w3.fma(xv, a31);
            xv = FloatVector.fromArray(F, x, x2 + o);
            a02 = w0.fma(xv, a02); a12 = w1.fma(xv, a12); a22 = w2.fma(xv, a22); a32 = w3.fma(xv, a32);
            xv = FloatVector.fromArray(F, x, x3 + o);
            a03 = w0.fma(xv, a03); a13 = w1.fma(xv, a13); a23 = w2.fma(xv, a23); a33 = w3.fma(xv, a33);
        }
        a00.intoArray(s, a); a10.intoArray(s, a + L); a20.intoArray(s, a + 2 * L); a30.intoArray(s, a + 3 * L);
        a01.intoArray(s, a + 4 * L); a11.intoArray(s, a + 5 * L); a21.intoArray(s, a + 6 * L); a31.intoArray(s, a + 7 * L);
        a02.intoArray(s, a + 8 * L); a12.intoArray(s, a + 9 * L); a22.intoArray(s, a + 10 * L); a32.intoArray(s, a + 11 * L);
        a03.intoArray(s, a + 12 * L); a13.intoArray(s, a + 13 * L); a23.intoArray(s, a + 14 * L); a33.intoArray(s, a + 15 * L);
    }

    /** Columns [k0, k1) of rows 0..3 times token t; accumulators at s[a + 16 k]. */
    private static void tile4x1(float[] s, float[] x, int cols, int t, int k0, int k1, int a) {
        int x0 = t * cols;
        FloatVector a0 = FloatVector.fromArray(F, s, a), a1 = FloatVector.fromArray(F, s, a + L);
        FloatVector a2 = FloatVector.fromArray(F, s, a + 2 * L), a3 = FloatVector.fromArray(F, s, a + 3 * L);
        for (int o = k0; o < k1; o += L) {
            FloatVector xv = FloatVector.fromArray(F, x, x0 + o);
            a0 = FloatVector.fromArray(F, s, o).fma(xv, a0);
            a1 = FloatVector.fromArray(F, s, cols + o).fma(xv, a1);
            a2 = FloatVector.fromArray(F, s, 2 * cols + o).fma(xv, a2);
            a3 = FloatVector.fromArray(F, s, 3 * cols + o).fma(xv, a3);
        }
        a0.intoArray(s, a); a1.intoArray(s, a + L); a2.intoArray(s, a + 2 * L); a3.intoArray(s, a + 3 * L);
    }
}
