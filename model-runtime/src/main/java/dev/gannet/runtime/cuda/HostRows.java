package dev.gannet.runtime.cuda;

import dev.gannet.runtime.kernel.ReferenceKernels;
import dev.gannet.runtime.tensor.GgmlType;
import dev.gannet.runtime.tensor.WeightMatrix;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Writes weight rows in the byte layout the device keeps ({@link DeviceMatrix.Format}) into host memory: the
 * conversions of the upload. Rows may come from the mapped file layout (any row stride: tensor-parallel column
 * slices) or from the CPU's packed Q8_0/Q4_0 layout, whose blocks are reassembled bit for bit. One thread.
 */
final class HostRows {
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final ReferenceKernels reference = new ReferenceKernels();
    private float[] row = new float[0];

    /** Row {@code r} of {@code w} as {@code format} (dense: in {@code dtype}) at {@code dst[off]}. */
    void write(WeightMatrix w, int r, DeviceMatrix.Format format, DeviceDtype dtype, MemorySegment dst, long off) {
        if (format != DeviceMatrix.Format.DENSE) {
            quantized(w, r, dst, off);
        } else if (sameType(w.type(), dtype) && !w.packed()) {
            MemorySegment.copy(w.data(), r * w.rowStride(), dst, off, w.rowBytes());
        } else {
            if (row.length < w.cols()) row = new float[w.cols()];
            reference.dequantizeRow(w, r, row, 0);
            floats(row, 0, w.cols(), dtype, dst, off);
        }
    }

    /** {@code n} floats of {@code src} from {@code from}, converted to {@code dtype} (round to nearest even), at dst[off]. */
    static void floats(float[] src, int from, int n, DeviceDtype dtype, MemorySegment dst, long off) {
        for (int i = 0; i < n; i++) {
            float v = src[from + i];
            switch (dtype) {
                case F32 -> dst.set(LE_FLOAT, off + 4L * i, v);
                case F16 -> dst.set(LE_SHORT, off + 2L * i, Float.floatToFloat16(v));
                case BF16 -> dst.set(LE_SHORT, off + 2L * i, toBf16(v));
            }
        }
    }

    /** f32 to bf16, round to nearest even (as __float2bfloat16_rn); NaN stays a quiet NaN. */
    static short toBf16(float f) {
        if (Float.isNaN(f)) return (short) 0x7FC0;
        int bits = Float.floatToRawIntBits(f);
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    static boolean sameType(GgmlType t, DeviceDtype d) {
        return (t == GgmlType.F32 && d == DeviceDtype.F32) || (t == GgmlType.F16 && d == DeviceDtype.F16)
                || (t == GgmlType.BF16 && d == DeviceDtype.BF16);
    }

    /** A Q8_0 / Q4_0 row as GGUF blocks: copied from the file layout, or rebuilt from the packed one. */
    private static void quantized(WeightMatrix w, int r, MemorySegment dst, long off) {
        if (!w.packed()) {
            MemorySegment.copy(w.data(), r * w.rowStride(), dst, off, w.rowBytes());
            return;
        }
        GgmlType t = w.type();
        int quantBytes = t == GgmlType.Q8_0 ? 32 : 16;
        long q = r * w.rowStride(), s = r * w.scaleStride();
        for (int b = 0; b < w.cols() / 32; b++) {
            long at = off + (long) b * t.blockBytes();
            // the packed scale is the file's f16 widened exactly, so narrowing gives the same bits back
            dst.set(LE_SHORT, at, Float.floatToFloat16(w.scales().get(LE_FLOAT, s + 4L * b)));
            MemorySegment.copy(w.data(), q + (long) b * quantBytes, dst, at + 2, quantBytes);
        }
    }
}
