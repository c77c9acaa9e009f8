package dev.gannet.runtime.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.stream.IntStream;

/**
 * The packed layout of Q8_0 and Q4_0 weights (see {@link WeightMatrix}): a block's quants without
 * its f16 scale, so a row's quants are one aligned run of bytes, and the scales widened to f32 in a
 * separate array. Widening f16 to f32 is exact, so every dequantized value is the same bits as in
 * the file layout; only the time to read the row changes. One-token decode streams the packed rows
 * about 40% faster on this project's test machine (docs/benchmarks.md): the 34- and 18-byte file
 * blocks make a quarter of the vector loads straddle cache lines and add an f16 conversion per block.
 *
 * <p>This is the one place where weights are copied after loading (off-heap, into memory the model
 * owns), like llama.cpp's CPU "repack" buffers; {@code weight_layout: mapped} keeps the zero-copy file layout.
 */
public final class Packing {
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Packing() {}

    /** Whether {@code type} has a packed layout. */
    public static boolean packable(GgmlType type) {
        return type == GgmlType.Q8_0 || type == GgmlType.Q4_0;
    }

    /** Bytes of quants for {@code n} values in the packed layout of {@code type}. */
    public static long quantBytes(GgmlType type, long n) {
        return switch (type) {
            case Q8_0 -> n;
            case Q4_0 -> n / 2;
            default -> throw new IllegalArgumentException(type + " has no packed layout");
        };
    }

    /** Bytes the packed copy of {@code w} takes (0 when its type has no packed layout or it is packed already). */
    public static long packedBytes(WeightMatrix w) {
        if (w.packed() || !packable(w.type())) return 0;
        return (long) w.rows() * (quantBytes(w.type(), w.cols()) + 4L * (w.cols() / w.type().blockSize()));
    }

    /**
     * A packed, contiguous copy of {@code w} (file layout, any row stride) in memory from {@code arena};
     * {@code w} itself when its type has no packed layout or it is packed already. Rows are copied in
     * parallel on the common fork-join pool (this runs once, at load).
     */
    public static WeightMatrix pack(WeightMatrix w, Arena arena) {
        if (w.packed() || !packable(w.type())) return w;
        GgmlType t = w.type();
        int blocks = w.cols() / t.blockSize();
        long qRow = quantBytes(t, w.cols());
        int quantsPerBlock = (int) quantBytes(t, t.blockSize());
        MemorySegment q = arena.allocate(qRow * w.rows(), 64);
        MemorySegment s = arena.allocate(4L * blocks * w.rows(), 64);
        MemorySegment d = w.data();
        IntStream.range(0, w.rows()).parallel().forEach(r -> {
            long src = r * w.rowStride();
            for (int b = 0; b < blocks; b++) {
                long at = src + (long) b * t.blockBytes();
                s.set(LE_FLOAT, 4L * ((long) r * blocks + b), Float.float16ToFloat(d.get(LE_SHORT, at)));
                MemorySegment.copy(d, at + 2, q, r * qRow + (long) b * quantsPerBlock, quantsPerBlock);
            }
        });
        return new WeightMatrix(w.name(), t, w.rows(), w.cols(), q, qRow, s, 4L * blocks);
    }
}
