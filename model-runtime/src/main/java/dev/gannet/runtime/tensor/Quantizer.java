package dev.gannet.runtime.tensor;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Converts f32 rows to F32, F16, BF16, Q8_0 and Q4_0 bytes in ggml's little-endian block layout,
 * bit for bit as ggml's reference quantizers ({@code quantize_row_q8_0_ref},
 * {@code quantize_row_q4_0_ref}, {@code ggml_fp32_to_fp16}, {@code ggml_fp32_to_bf16}) and so as
 * llama.cpp's {@code llama-quantize} without an importance matrix.
 */
public final class Quantizer {
    private static final VarHandle I16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle F32 = MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);

    private Quantizer() {}

    /** True for the types {@link #quantizeRow} can write. */
    public static boolean canWrite(GgmlType type) {
        return switch (type) {
            case F32, F16, BF16, Q8_0, Q4_0 -> true;
            default -> false;
        };
    }

    /**
     * Writes {@code n} values {@code src[srcOff, srcOff + n)} as {@code type} into {@code dst} from
     * {@code dstOff}; {@code n} must be a whole number of blocks. Returns the bytes written.
     */
    public static int quantizeRow(GgmlType type, float[] src, int srcOff, int n, byte[] dst, int dstOff) {
        long bytes = type.bytesFor(n);
        if (srcOff < 0 || srcOff + n > src.length || dstOff < 0 || dstOff + bytes > dst.length) {
            throw new IndexOutOfBoundsException("quantizeRow " + type + ": " + n + " values at " + srcOff + " of " + src.length
                    + " into " + bytes + " bytes at " + dstOff + " of " + dst.length);
        }
        switch (type) {
            case F32 -> { for (int i = 0; i < n; i++) F32.set(dst, dstOff + 4 * i, src[srcOff + i]); }
            case F16 -> { for (int i = 0; i < n; i++) I16.set(dst, dstOff + 2 * i, Float.floatToFloat16(src[srcOff + i])); }
            case BF16 -> { for (int i = 0; i < n; i++) I16.set(dst, dstOff + 2 * i, toBf16(src[srcOff + i])); }
            case Q8_0 -> { for (int b = 0; b < n / 32; b++) q8Block(src, srcOff + 32 * b, dst, dstOff + 34 * b); }
            case Q4_0 -> { for (int b = 0; b < n / 32; b++) q4Block(src, srcOff + 32 * b, dst, dstOff + 18 * b); }
            default -> throw new IllegalArgumentException("cannot quantize to " + type + " (F32, F16, BF16, Q8_0 and Q4_0 are supported)");
        }
        return (int) bytes;
    }

    /** f32 to bf16 bits, rounding to nearest even; NaN stays a quiet NaN (as ggml_compute_fp32_to_bf16). */
    public static short toBf16(float f) {
        int u = Float.floatToRawIntBits(f);
        if ((u & 0x7fffffff) > 0x7f800000) return (short) ((u >>> 16) | 64);
        return (short) ((u + (0x7fff + ((u >>> 16) & 1))) >>> 16);
    }

    /** {@code roundf}: to nearest, halves away from zero (Math.round rounds halves up instead). */
    static int roundHalfAway(float x) {
        // |x| + 0.5 is exact in double for every float, so floor sees the true sum
        double r = Math.floor(Math.abs((double) x) + 0.5);
        return (int) (x < 0 ? -r : r);
    }

    // block: f16 scale d = amax / 127, then 32 int8 round(x / d)
    private static void q8Block(float[] x, int xo, byte[] y, int yo) {
        float amax = 0;
        for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[xo + j]));
        float d = amax / 127f;
        float id = d != 0 ? 1f / d : 0f;
        I16.set(y, yo, Float.floatToFloat16(d));
        for (int j = 0; j < 32; j++) y[yo + 2 + j] = (byte) roundHalfAway(x[xo + j] * id);
    }

    // block: f16 scale d = (value of largest magnitude) / -8, then 16 bytes: low nibble value j, high nibble j + 16
    private static void q4Block(float[] x, int xo, byte[] y, int yo) {
        float amax = 0, max = 0;
        for (int j = 0; j < 32; j++) {
            float v = x[xo + j];
            if (amax < Math.abs(v)) { amax = Math.abs(v); max = v; }
        }
        float d = max / -8f;
        float id = d != 0 ? 1f / d : 0f;
        I16.set(y, yo, Float.floatToFloat16(d));
        for (int j = 0; j < 16; j++) {
            // (int8_t)(x * id + 8.5f): C truncates toward zero, then clamp to 15
            int q0 = Math.min(15, (byte) (int) (x[xo + j] * id + 8.5f));
            int q1 = Math.min(15, (byte) (int) (x[xo + 16 + j] * id + 8.5f));
            y[yo + 2 + j] = (byte) (q0 | (q1 << 4));
        }
    }
}
