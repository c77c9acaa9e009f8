package dev.gannet.runtime.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Dequantization into 512-bit float vectors, per weight type: 16-value chunks of plain rows and of
 * Q8_0 / Q4_0 blocks (used in registers by the one-token path and stored by the staging path), and
 * whole K-quant super-blocks (staged). Both matmul paths build weights from these same functions,
 * and every operation is exact lane-wise IEEE arithmetic, so a weight value is the same bits on every
 * path, compiled or interpreted; the values also equal {@link ReferenceKernels}' dequantization
 * exactly (ggml's expressions, in float).
 *
 * <p>Chunk {@code c} of a row holds values [16c, 16c + 16). Addresses are byte offsets in the segment.
 * Methods that take or return vectors must stay small: C2 boxes a vector that crosses a call it
 * does not inline, and it stops inlining when a loop body grows past its node budget.
 */
final class Chunks {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    static final VectorSpecies<Integer> I = IntVector.SPECIES_512;
    static final VectorSpecies<Byte> B = ByteVector.SPECIES_128;
    static final VectorSpecies<Short> S = ShortVector.SPECIES_256;
    static final int L = 16; // float lanes: the kernels are written for 512-bit vectors
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    static final ValueLayout.OfShort LE_SHORT = ReferenceKernels.LE_SHORT;
    static final ValueLayout.OfFloat LE_FLOAT = ReferenceKernels.LE_FLOAT;
    static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(LE);
    static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LE);

    private Chunks() {}

    /**
     * Sum of the 16 floats a[o, o + 16) (a vector accumulator the caller stored there) in a fixed
     * order: identical bits however the JVM runs it, unlike reduceLanes, whose order is unspecified.
     * Scalar on purpose: a vector passed to a method C2 does not inline gets boxed.
     */
    static float sumLanes(float[] a, int o) {
        float s0 = (a[o] + a[o + 8]) + (a[o + 4] + a[o + 12]);
        float s1 = (a[o + 1] + a[o + 9]) + (a[o + 5] + a[o + 13]);
        float s2 = (a[o + 2] + a[o + 10]) + (a[o + 6] + a[o + 14]);
        float s3 = (a[o + 3] + a[o + 11]) + (a[o + 7] + a[o + 15]);
        return (s0 + s2) + (s1 + s3);
    }

    static float f16(MemorySegment d, long at) {
        return Float.float16ToFloat(d.get(LE_SHORT, at));
    }

    static FloatVector f32(MemorySegment d, long rowAt, int c) {
        return FloatVector.fromMemorySegment(F, d, rowAt + 64L * c, LE);
    }

    static FloatVector bf16(MemorySegment d, long rowAt, int c) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(S, d, rowAt + 32L * c, LE).convertShape(VectorOperators.S2I, I, 0);
        return h.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    /** Q8_0 block at {@code at} (f16 d, int8 qs[32]): values [16 half, +16) = qs * scale, scale = f16 d. */
    static FloatVector q8_0(MemorySegment d, long at, int half, float scale) {
        ByteVector q = ByteVector.fromMemorySegment(B, d, at + 2 + 16L * half, LE);
        return ((FloatVector) q.convertShape(VectorOperators.B2F, F, 0)).mul(scale);
    }

    /** 16 int8 quants at {@code at} (packed Q8_0) times {@code scale}: the same bits as {@link #q8_0}. */
    static FloatVector q8(MemorySegment d, long at, float scale) {
        ByteVector q = ByteVector.fromMemorySegment(B, d, at, LE);
        return ((FloatVector) q.convertShape(VectorOperators.B2F, F, 0)).mul(scale);
    }

    /** 16 bytes of Q4_0 nibbles at {@code at} (packed Q4_0), widened to int lanes. */
    static IntVector nibbles(MemorySegment d, long at) {
        return (IntVector) ByteVector.fromMemorySegment(B, d, at, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
    }

    /**
     * Values [16 half, +16) of a packed Q4_0 block from its zero-extended bytes: the high nibble
     * needs no mask (bytes are 0..255), one operation less than {@link #q4_0}; the same values.
     */
    static FloatVector q4_0Packed(IntVector bytes, int half, float scale) {
        IntVector q = half == 0 ? bytes.and(0xf) : bytes.lanewise(VectorOperators.LSHR, 4);
        // Not fma(q, scale, -8 * scale), though one operation shorter: for q = 8 and a negative
        // scale it gives +0.0 where ggml's (q - 8) * scale gives -0.0.
        return ((FloatVector) q.sub(8).convert(VectorOperators.I2F, 0)).mul(scale);
    }

    /** The 16 quant bytes of the Q4_0 block at {@code at}, widened to int lanes. */
    static IntVector q4_0Bytes(MemorySegment d, long at) {
        return (IntVector) ByteVector.fromMemorySegment(B, d, at + 2, LE).convertShape(VectorOperators.B2I, I, 0);
    }

    /** Q4_0 values [16 half, +16) of a block: low nibbles first, then high; (q - 8) * scale. */
    static FloatVector q4_0(IntVector bytes, int half, float scale) {
        IntVector q = bytes.lanewise(VectorOperators.LSHR, 4 * half).and(0xf); // shift, not a branch: no vector phi
        return ((FloatVector) q.sub(8).convert(VectorOperators.I2F, 0)).mul(scale);
    }

    private static IntVector bytes(MemorySegment d, long at) {
        return (IntVector) ByteVector.fromMemorySegment(B, d, at, LE).convertShape(VectorOperators.B2I, I, 0);
    }

    /**
     * Q4_K super-block at {@code at} (256 values) into s[off, +256). Sub-block j of 32 values has
     * scale d * sc_j and min dmin * m_j (6-bit pairs, ggml's get_scale_min_k4); sub-blocks 2g and
     * 2g+1 are the low and high nibbles of qs[32g, 32g + 32). Value = d1 * q - m1, not fused, as ggml.
     */
    static void q4_KBlock(MemorySegment d, long at, float[] s, int off) {
        float dd = f16(d, at);
        float dmin = f16(d, at + 2);
        long sc0 = d.get(LE_LONG, at + 4);  // scale bytes 0..7, one bounds check instead of eight
        long sc8 = d.get(LE_INT, at + 12);  // scale bytes 8..11
        for (int g = 0; g < 4; g++) {
            float d1 = dd * scaleK4(sc0, sc8, 2 * g);
            float m1 = dmin * minK4(sc0, sc8, 2 * g);
            float d2 = dd * scaleK4(sc0, sc8, 2 * g + 1);
            float m2 = dmin * minK4(sc0, sc8, 2 * g + 1);
            for (int h = 0; h < 2; h++) {
                IntVector b = bytes(d, at + 16 + 32L * g + 16L * h);
                int o = off + 64 * g + 16 * h;
                ((FloatVector) b.and(0xf).convert(VectorOperators.I2F, 0)).mul(d1).sub(m1).intoArray(s, o);
                ((FloatVector) b.lanewise(VectorOperators.LSHR, 4).and(0xf).convert(VectorOperators.I2F, 0)).mul(d2).sub(m2).intoArray(s, o + 32);
            }
        }
    }

    /** Byte i (0..11) of the Q4_K scales, held as bytes 0..7 in {@code lo} and 8..11 in {@code hi}. */
    private static int scaleByte(long lo, long hi, int i) {
        return (int) ((i < 8 ? lo >>> (8 * i) : hi >>> (8 * (i - 8))) & 0xff);
    }

    /** ggml's get_scale_min_k4, scale half, from the scale bytes in registers. */
    private static int scaleK4(long lo, long hi, int j) {
        if (j < 4) return scaleByte(lo, hi, j) & 63;
        return (scaleByte(lo, hi, j + 4) & 0xf) | ((scaleByte(lo, hi, j - 4) >>> 6) << 4);
    }

    /** ggml's get_scale_min_k4, min half. */
    private static int minK4(long lo, long hi, int j) {
        if (j < 4) return scaleByte(lo, hi, j + 4) & 63;
        return (scaleByte(lo, hi, j + 4) >>> 4) | ((scaleByte(lo, hi, j) >>> 6) << 4);
    }

    /**
     * Q6_K super-block at {@code at} (256 values) into s[off, +256): two halves of 128; in half h,
     * value l + 32k (l < 32, quarter k < 4) is (a nibble of ql[l + 32 (k%2)], low for k < 2, | bits
     * 2k..2k+1 of qh[l] << 4) - 32, times d * scales[8h + l/16 + 2k].
     */
    static void q6_KBlock(MemorySegment d, long at, float[] s, int off) {
        float dd = f16(d, at + 208);
        for (int h = 0; h < 2; h++) {
            for (int l0 = 0; l0 < 32; l0 += 16) {
                for (int k = 0; k < 4; k++) { // a loop, not unrolled: keeps C2 within its inlining budget
                    IntVector lo = bytes(d, at + 64L * h + l0 + 32L * (k & 1));
                    IntVector hi = bytes(d, at + 128 + 32L * h + l0);
                    float scale = dd * d.get(ValueLayout.JAVA_BYTE, at + 192 + 8L * h + l0 / 16 + 2L * k);
                    IntVector top = hi.lanewise(VectorOperators.LSHR, 2 * k).and(3).lanewise(VectorOperators.LSHL, 4);
                    IntVector q = lo.lanewise(VectorOperators.LSHR, 4 * (k >>> 1)).and(0xf).or(top);
                    ((FloatVector) q.sub(32).convert(VectorOperators.I2F, 0)).mul(scale).intoArray(s, off + 128 * h + l0 + 32 * k);
                }
            }
        }
    }
}
