package dev.gannet.runtime.tensor;

import java.lang.foreign.MemorySegment;

/**
 * A 2-D weight: {@code rows} rows (output features) of {@code cols} values (input features) each,
 * every row a whole number of {@code type} blocks. Two layouts:
 *
 * <ul>
 *   <li><b>File layout</b> ({@code scales == null}): rows stored as the file stores them, {@code data}
 *       usually a read-only slice of the mapped model file (never copied to the heap).
 *   <li><b>Packed layout</b> (Q8_0 and Q4_0 only, see {@link Packing}): the quants of a row
 *       contiguous in {@code data} (Q8_0: one byte a value; Q4_0: 16 bytes a block of 32, ggml's
 *       nibble order) and the block scales as f32 in {@code scales}. The same values as the file
 *       layout, bit for bit; the CPU kernels stream it faster (aligned loads, no f16 scale per block).
 * </ul>
 *
 * Rows start {@code rowStride} bytes apart in {@code data} (and {@code scaleStride} in {@code scales}):
 * {@link #rowBytes()} for a whole matrix, more for a {@link #colSlice} (a row-parallel
 * tensor-parallel shard, which keeps the parent's row pitch).
 *
 * @param data        rows in {@code type} (or packed quants); exactly {@code (rows - 1) * rowStride + rowBytes()} bytes
 * @param rowStride   bytes from the start of one row to the next, >= rowBytes()
 * @param scales      packed layout: f32 block scales, row r at byte r * scaleStride; null in file layout
 * @param scaleStride packed layout: bytes between rows of scales, >= 4 * cols / 32; 0 in file layout
 */
public record WeightMatrix(String name, GgmlType type, int rows, int cols, MemorySegment data, long rowStride,
                           MemorySegment scales, long scaleStride) {
    public WeightMatrix {
        if (rows <= 0 || cols <= 0) throw new IllegalArgumentException(name + ": shape " + rows + "x" + cols);
        if (cols % type.blockSize() != 0) {
            throw new IllegalArgumentException(name + ": " + cols + " columns is not a multiple of the " + type + " block size " + type.blockSize());
        }
        long rowBytes = scales == null ? type.bytesFor(cols) : Packing.quantBytes(type, cols);
        if (rowStride < rowBytes) throw new IllegalArgumentException(name + ": row stride " + rowStride + " bytes is less than a row of " + rowBytes);
        long want = (long) (rows - 1) * rowStride + rowBytes;
        if (data.byteSize() != want) {
            throw new IllegalArgumentException(name + ": " + data.byteSize() + " bytes of data, " + rows + "x" + cols + " " + type + " needs " + want);
        }
        if (scales != null) {
            long scaleBytes = 4L * (cols / type.blockSize());
            if (scaleStride < scaleBytes || scales.byteSize() != (long) (rows - 1) * scaleStride + scaleBytes) {
                throw new IllegalArgumentException(name + ": packed scales of " + scales.byteSize() + " bytes, stride " + scaleStride
                        + ", do not fit " + rows + "x" + cols + " " + type);
            }
        } else if (scaleStride != 0) {
            throw new IllegalArgumentException(name + ": a scale stride without packed scales");
        }
    }

    /** File layout with an explicit row stride. */
    public WeightMatrix(String name, GgmlType type, int rows, int cols, MemorySegment data, long rowStride) {
        this(name, type, rows, cols, data, rowStride, null, 0);
    }

    /** A contiguous matrix in file layout: rows follow each other with no gap. */
    public WeightMatrix(String name, GgmlType type, int rows, int cols, MemorySegment data) {
        this(name, type, rows, cols, data, (long) cols / type.blockSize() * type.blockBytes());
    }

    /** Whether this matrix is in the packed layout (quants and f32 scales apart). */
    public boolean packed() { return scales != null; }

    /** Bytes of one row in {@code data}. */
    public long rowBytes() { return packed() ? Packing.quantBytes(type, cols) : type.bytesFor(cols); }

    /** Whether rows follow each other with no gap (false for a column slice). */
    public boolean contiguous() { return rowStride == rowBytes(); }

    /** A view of rows [from, to): a column-parallel tensor-parallel shard, no copy. */
    public WeightMatrix rowSlice(int from, int to) {
        if (from < 0 || to > rows || from >= to) throw new IllegalArgumentException(name + ": rows [" + from + "," + to + ") of " + rows);
        long bytes = (long) (to - from - 1) * rowStride + rowBytes();
        MemorySegment s = null;
        if (packed()) s = scales.asSlice(from * scaleStride, (long) (to - from - 1) * scaleStride + 4L * (cols / type.blockSize()));
        return new WeightMatrix(name + "[" + from + ":" + to + "]", type, to - from, cols, data.asSlice(from * rowStride, bytes), rowStride,
                s, scaleStride);
    }

    /**
     * A view of columns [from, to) of every row: a row-parallel tensor-parallel shard, no copy. Both ends
     * must fall on block boundaries; the view keeps this matrix's row stride.
     */
    public WeightMatrix colSlice(int from, int to) {
        if (from < 0 || to > cols || from >= to) throw new IllegalArgumentException(name + ": columns [" + from + "," + to + ") of " + cols);
        int block = type.blockSize();
        if (from % block != 0 || to % block != 0) {
            throw new IllegalArgumentException(name + ": columns [" + from + "," + to + ") do not fall on " + type + " block boundaries (" + block + ")");
        }
        String n = name + "[:," + from + ":" + to + "]";
        if (!packed()) {
            long bytes = (long) (rows - 1) * rowStride + type.bytesFor(to - from);
            return new WeightMatrix(n, type, rows, to - from, data.asSlice(type.bytesFor(from), bytes), rowStride);
        }
        long q = (long) (rows - 1) * rowStride + Packing.quantBytes(type, to - from);
        long s = (long) (rows - 1) * scaleStride + 4L * ((to - from) / block);
        return new WeightMatrix(n, type, rows, to - from, data.asSlice(Packing.quantBytes(type, from), q), rowStride,
                scales.asSlice(4L * (from / block), s), scaleStride);
    }
}
