package dev.gannet.runtime.kernel;

import dev.gannet.runtime.gguf.GgufFile;
import dev.gannet.runtime.gguf.GgufTensorInfo;
import dev.gannet.runtime.tensor.GgmlType;
import dev.gannet.runtime.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;

/** Test-only weight builders: tiny reference quantizers and GGUF tensor views. */
final class KernelTestSupport {
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private KernelTestSupport() {}

    /** A GGUF 2-D tensor as a weight matrix (ggml shape {cols, rows}). */
    static WeightMatrix weight(GgufFile f, String name) throws Exception {
        GgufTensorInfo t = f.tensor(name);
        return new WeightMatrix(name, t.type(), (int) t.shape()[1], (int) t.shape()[0], t.data());
    }

    static float[] gaussian(Random rnd, int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rnd.nextGaussian() * scale;
        return a;
    }

    /**
     * Random weights of {@code type}: F32/F16/BF16/Q8_0/Q4_0 are quantized from gaussian values with
     * the small quantizers below; Q4_K and Q6_K are random bytes with sane f16 super-block scales
     * (every bit pattern of their quants and sub-block scales is a legal block).
     */
    static WeightMatrix random(GgmlType type, int rows, int cols, long seed, Arena arena) {
        Random rnd = new Random(seed);
        long rowBytes = type.bytesFor(cols);
        MemorySegment seg = arena.allocate(rows * rowBytes, 64);
        for (int r = 0; r < rows; r++) {
            long base = r * rowBytes;
            float[] v = gaussian(rnd, cols, 0.5f);
            switch (type) {
                case F32 -> { for (int c = 0; c < cols; c++) seg.set(LE_FLOAT, base + 4L * c, v[c]); }
                case F16 -> { for (int c = 0; c < cols; c++) seg.set(LE_SHORT, base + 2L * c, Float.floatToFloat16(v[c])); }
                case BF16 -> { for (int c = 0; c < cols; c++) seg.set(LE_SHORT, base + 2L * c, (short) (Float.floatToIntBits(v[c]) >>> 16)); }
                case Q8_0 -> { for (int b = 0; b < cols / 32; b++) quantizeQ8_0(v, 32 * b, seg, base + 34L * b); }
                case Q4_0 -> { for (int b = 0; b < cols / 32; b++) quantizeQ4_0(v, 32 * b, seg, base + 18L * b); }
                case Q4_K -> randomKBlocks(rnd, seg, base, cols / 256, 144, 0, 2, 0.01f);
                case Q6_K -> randomKBlocks(rnd, seg, base, cols / 256, 210, 208, -1, 0.004f);
                default -> throw new IllegalArgumentException("no test builder for " + type);
            }
        }
        return new WeightMatrix("random-" + type, type, rows, cols, seg);
    }

    /** Random bytes, then f16 scales (at dOffset, and dmin at minOffset unless negative) near {@code scale}. */
    private static void randomKBlocks(Random rnd, MemorySegment seg, long base, int blocks, int blockBytes, int dOffset, int minOffset, float scale) {
        for (int b = 0; b < blocks; b++) {
            long at = base + (long) b * blockBytes;
            for (int i = 0; i < blockBytes; i++) seg.set(ValueLayout.JAVA_BYTE, at + i, (byte) rnd.nextInt(256));
            seg.set(LE_SHORT, at + dOffset, Float.floatToFloat16(scale * (0.5f + rnd.nextFloat())));
            if (minOffset >= 0) seg.set(LE_SHORT, at + minOffset, Float.floatToFloat16(scale * (0.5f + rnd.nextFloat())));
        }
    }

    // ggml's reference scheme: d = amax / 127, q = round(x / d).
    static void quantizeQ8_0(float[] x, int from, MemorySegment seg, long at) {
        float amax = 0;
        for (int i = 0; i < 32; i++) amax = Math.max(amax, Math.abs(x[from + i]));
        float d = amax / 127f;
        float id = d != 0 ? 1f / d : 0f;
        seg.set(LE_SHORT, at, Float.floatToFloat16(d));
        for (int i = 0; i < 32; i++) seg.set(ValueLayout.JAVA_BYTE, at + 2 + i, (byte) Math.round(x[from + i] * id));
    }

    // ggml's reference scheme: d = (signed value of largest magnitude) / -8, q = clamp(x / d + 8.5, 0, 15).
    static void quantizeQ4_0(float[] x, int from, MemorySegment seg, long at) {
        float amax = 0;
        float max = 0;
        for (int i = 0; i < 32; i++) {
            if (Math.abs(x[from + i]) > amax) { amax = Math.abs(x[from + i]); max = x[from + i]; }
        }
        float d = max / -8f;
        float id = d != 0 ? 1f / d : 0f;
        seg.set(LE_SHORT, at, Float.floatToFloat16(d));
        for (int i = 0; i < 16; i++) {
            int lo = Math.min(15, (int) (x[from + i] * id + 8.5f));
            int hi = Math.min(15, (int) (x[from + i + 16] * id + 8.5f));
            seg.set(ValueLayout.JAVA_BYTE, at + 2 + i, (byte) (lo | (hi << 4)));
        }
    }

    /** Σ|a_i b_i| over the dot product of row w (dequantized) with x: the scale for a tolerance. */
    static double absDot(float[] w, float[] x, int xOffset, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += Math.abs((double) w[i] * x[xOffset + i]);
        return s;
    }
}
