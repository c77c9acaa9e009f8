package dev.gannet.runtime.kernel;

import dev.gannet.runtime.tensor.GgmlType;
import dev.gannet.runtime.tensor.WeightMatrix;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Plain-Java, single-threaded kernels: the oracle every fast kernel is tested against. Written for
 * obvious correctness, not speed. Dot products, sums of squares and softmax sums accumulate in
 * double. Dequantization follows ggml's block layouts ({@code ggml-common.h}) value for value, in
 * float, with ggml's expression order, so the dequantized values are exactly ggml's.
 *
 * <p>Not thread-safe: {@link #matmul} reuses one scratch row.
 */
public final class ReferenceKernels implements Kernels {
    static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private float[] row = new float[0]; // (cols) f32 scratch: one dequantized weight row

    @Override
    public void matmul(WeightMatrix w, float[] x, float[] out, int numTokens) {
        checkMatmul(w, x, out, numTokens);
        int cols = w.cols();
        if (row.length < cols) row = new float[cols];
        for (int r = 0; r < w.rows(); r++) {
            dequantize(w, r, row, 0);
            for (int t = 0; t < numTokens; t++) {
                double acc = 0;
                int xo = t * cols;
                for (int c = 0; c < cols; c++) acc += (double) row[c] * x[xo + c];
                out[t * w.rows() + r] = (float) acc;
            }
        }
    }

    @Override
    public void dequantizeRow(WeightMatrix w, int row, float[] out, int outOffset) {
        if (row < 0 || row >= w.rows()) throw new IndexOutOfBoundsException(w.name() + ": row " + row + " of " + w.rows());
        if (outOffset < 0 || outOffset + w.cols() > out.length) {
            throw new IndexOutOfBoundsException(w.name() + ": out[" + outOffset + ", +" + w.cols() + ") past length " + out.length);
        }
        dequantize(w, row, out, outOffset);
    }

    /** Dequantizes one row; shared with the fast kernels for their unvectorized paths. */
    static void dequantize(WeightMatrix w, int row, float[] out, int off) {
        if (w.packed()) {
            dequantizePacked(w, row, out, off);
            return;
        }
        MemorySegment d = w.data();
        long base = row * w.rowStride();
        int cols = w.cols();
        switch (w.type()) {
            case F32 -> { for (int c = 0; c < cols; c++) out[off + c] = d.get(LE_FLOAT, base + 4L * c); }
            case F16 -> { for (int c = 0; c < cols; c++) out[off + c] = Float.float16ToFloat(d.get(LE_SHORT, base + 2L * c)); }
            case BF16 -> { for (int c = 0; c < cols; c++) out[off + c] = bf16ToFloat(d.get(LE_SHORT, base + 2L * c)); }
            case Q8_0 -> { for (int b = 0; b < cols / 32; b++) q8_0Block(d, base + 34L * b, out, off + 32 * b); }
            case Q4_0 -> { for (int b = 0; b < cols / 32; b++) q4_0Block(d, base + 18L * b, out, off + 32 * b); }
            case Q4_K -> { for (int b = 0; b < cols / 256; b++) q4_KBlock(d, base + 144L * b, out, off + 256 * b); }
            case Q6_K -> { for (int b = 0; b < cols / 256; b++) q6_KBlock(d, base + 210L * b, out, off + 256 * b); }
            default -> throw unsupported(w);
        }
    }

    /** The packed layout: the same values as the file layout ({@link dev.gannet.runtime.tensor.Packing}). */
    private static void dequantizePacked(WeightMatrix w, int row, float[] out, int off) {
        MemorySegment q = w.data();
        long qBase = row * w.rowStride();
        long sBase = row * w.scaleStride();
        for (int b = 0; b < w.cols() / 32; b++) {
            float scale = w.scales().get(LE_FLOAT, sBase + 4L * b);
            int o = off + 32 * b;
            switch (w.type()) {
                case Q8_0 -> { for (int i = 0; i < 32; i++) out[o + i] = q.get(ValueLayout.JAVA_BYTE, qBase + 32L * b + i) * scale; }
                case Q4_0 -> {
                    for (int i = 0; i < 16; i++) {
                        int v = q.get(ValueLayout.JAVA_BYTE, qBase + 16L * b + i) & 0xff;
                        out[o + i] = ((v & 0xf) - 8) * scale;
                        out[o + i + 16] = ((v >>> 4) - 8) * scale;
                    }
                }
                default -> throw unsupported(w);
            }
        }
    }

    static UnsupportedOperationException unsupported(WeightMatrix w) {
        return new UnsupportedOperationException(w.name() + ": weight type " + w.type()
                + " is not supported (supported: F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K)");
    }

    static float bf16ToFloat(short h) {
        return Float.intBitsToFloat((h & 0xffff) << 16);
    }

    static float f16(MemorySegment d, long at) {
        return Float.float16ToFloat(d.get(LE_SHORT, at));
    }

    // block_q8_0: f16 d, int8 qs[32]; y = qs * d.
    private static void q8_0Block(MemorySegment d, long at, float[] out, int o) {
        float scale = f16(d, at);
        for (int i = 0; i < 32; i++) out[o + i] = d.get(ValueLayout.JAVA_BYTE, at + 2 + i) * scale;
    }

    // block_q4_0: f16 d, uint8 qs[16]; low nibbles are elements 0..15, high nibbles 16..31; y = (q - 8) * d.
    private static void q4_0Block(MemorySegment d, long at, float[] out, int o) {
        float scale = f16(d, at);
        for (int i = 0; i < 16; i++) {
            int b = d.get(ValueLayout.JAVA_BYTE, at + 2 + i) & 0xff;
            out[o + i] = ((b & 0xf) - 8) * scale;
            out[o + i + 16] = ((b >>> 4) - 8) * scale;
        }
    }

    // block_q4_K: f16 d, f16 dmin, uint8 scales[12] (6-bit scale and min per 32-value sub-block), uint8 qs[128].
    // Each 64 values share 32 bytes of qs: low nibbles the first 32 values, high nibbles the next 32.
    private static void q4_KBlock(MemorySegment d, long at, float[] out, int o) {
        float dd = f16(d, at);
        float dmin = f16(d, at + 2);
        long scales = at + 4;
        long qs = at + 16;
        for (int j = 0; j < 4; j++) {
            float d1 = dd * scaleK4(d, scales, 2 * j);
            float m1 = dmin * minK4(d, scales, 2 * j);
            float d2 = dd * scaleK4(d, scales, 2 * j + 1);
            float m2 = dmin * minK4(d, scales, 2 * j + 1);
            for (int l = 0; l < 32; l++) {
                int q = d.get(ValueLayout.JAVA_BYTE, qs + 32L * j + l) & 0xff;
                out[o + 64 * j + l] = d1 * (q & 0xf) - m1;
                out[o + 64 * j + 32 + l] = d2 * (q >>> 4) - m2;
            }
        }
    }

    /** ggml's get_scale_min_k4, scale half: sub-block j (0..7) of the 12 packed bytes at {@code s}. */
    static int scaleK4(MemorySegment d, long s, int j) {
        if (j < 4) return u8(d, s + j) & 63;
        return (u8(d, s + j + 4) & 0xf) | ((u8(d, s + j - 4) >>> 6) << 4);
    }

    /** ggml's get_scale_min_k4, min half. */
    static int minK4(MemorySegment d, long s, int j) {
        if (j < 4) return u8(d, s + j + 4) & 63;
        return (u8(d, s + j + 4) >>> 4) | ((u8(d, s + j) >>> 6) << 4);
    }

    private static int u8(MemorySegment d, long at) {
        return d.get(ValueLayout.JAVA_BYTE, at) & 0xff;
    }

    // block_q6_K: uint8 ql[128] (low 4 bits), uint8 qh[64] (high 2 bits), int8 scales[16], f16 d.
    // Two halves of 128 values; in each, value l + 32k (k = 0..3) takes a nibble of ql and 2 bits of qh[l].
    private static void q6_KBlock(MemorySegment d, long at, float[] out, int o) {
        float dd = f16(d, at + 208);
        for (int half = 0; half < 2; half++) {
            long ql = at + 64L * half;
            long qh = at + 128 + 32L * half;
            long sc = at + 192 + 8L * half;
            int y = o + 128 * half;
            for (int l = 0; l < 32; l++) {
                int is = l / 16;
                int lo0 = u8(d, ql + l);
                int lo1 = u8(d, ql + l + 32);
                int h = u8(d, qh + l);
                int q1 = ((lo0 & 0xf) | ((h & 3) << 4)) - 32;
                int q2 = ((lo1 & 0xf) | (((h >>> 2) & 3) << 4)) - 32;
                int q3 = ((lo0 >>> 4) | (((h >>> 4) & 3) << 4)) - 32;
                int q4 = ((lo1 >>> 4) | (((h >>> 6) & 3) << 4)) - 32;
                out[y + l] = dd * d.get(ValueLayout.JAVA_BYTE, sc + is) * q1;
                out[y + l + 32] = dd * d.get(ValueLayout.JAVA_BYTE, sc + is + 2) * q2;
                out[y + l + 64] = dd * d.get(ValueLayout.JAVA_BYTE, sc + is + 4) * q3;
                out[y + l + 96] = dd * d.get(ValueLayout.JAVA_BYTE, sc + is + 6) * q4;
            }
        }
    }

    @Override
    public void rmsNorm(float[] x, float[] weight, float[] out, int numTokens, int dim, float eps) {
        for (int t = 0; t < numTokens; t++) {
            int o = t * dim;
            double ss = 0;
            for (int i = 0; i < dim; i++) ss += (double) x[o + i] * x[o + i];
            float scale = (float) (1.0 / Math.sqrt(ss / dim + eps));
            for (int i = 0; i < dim; i++) out[o + i] = x[o + i] * scale * weight[i];
        }
    }

    @Override
    public void swiglu(float[] gate, float[] up, int numTokens, int n) {
        for (int i = 0; i < numTokens * n; i++) {
            float g = gate[i];
            gate[i] = (float) (g / (1.0 + Math.exp(-g))) * up[i];
        }
    }

    @Override
    public void softmax(float[] x, int offset, int length) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = offset; i < offset + length; i++) max = Math.max(max, x[i]);
        double sum = 0;
        for (int i = offset; i < offset + length; i++) {
            float e = (float) Math.exp(x[i] - max);
            x[i] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (int i = offset; i < offset + length; i++) x[i] *= inv;
    }

    @Override
    public void rope(float[] x, int numTokens, int numHeads, int headDim, int[] positions, RopeTable table) {
        checkRope(x, numTokens, numHeads, headDim, positions, table);
        int half = table.rotaryDim() / 2;
        boolean neox = table.style() == RopeTable.Style.NEOX;
        for (int t = 0; t < numTokens; t++) {
            int p = positions[t] * half;
            for (int h = 0; h < numHeads; h++) {
                int base = (t * numHeads + h) * headDim;
                for (int i = 0; i < half; i++) {
                    int i0 = neox ? base + i : base + 2 * i;
                    int i1 = neox ? base + i + half : base + 2 * i + 1;
                    float c = table.cos()[p + i];
                    float s = table.sin()[p + i];
                    float x0 = x[i0];
                    float x1 = x[i1];
                    x[i0] = x0 * c - x1 * s;
                    x[i1] = x0 * s + x1 * c;
                }
            }
        }
    }

    @Override
    public int threads() {
        return 1;
    }

    @Override
    public void close() {}

    static void checkMatmul(WeightMatrix w, float[] x, float[] out, int numTokens) {
        if (!w.type().supported()) throw unsupported(w);
        if (numTokens <= 0) throw new IllegalArgumentException(w.name() + ": numTokens " + numTokens);
        if (x.length < (long) numTokens * w.cols()) {
            throw new IllegalArgumentException(w.name() + ": x holds " + x.length + " floats, need " + numTokens + " x " + w.cols());
        }
        if (out.length < (long) numTokens * w.rows()) {
            throw new IllegalArgumentException(w.name() + ": out holds " + out.length + " floats, need " + numTokens + " x " + w.rows());
        }
    }

    static void checkRope(float[] x, int numTokens, int numHeads, int headDim, int[] positions, RopeTable table) {
        if (table.rotaryDim() > headDim) throw new IllegalArgumentException("rotaryDim " + table.rotaryDim() + " > headDim " + headDim);
        if (x.length < (long) numTokens * numHeads * headDim || positions.length < numTokens) {
            throw new IllegalArgumentException("rope: x or positions too short for " + numTokens + " tokens");
        }
        for (int t = 0; t < numTokens; t++) {
            if (positions[t] < 0 || positions[t] >= table.maxPositions()) {
                throw new IllegalArgumentException("rope: position " + positions[t] + " outside [0, " + table.maxPositions() + ")");
            }
        }
    }
}
