package dev.gannet.runtime.tensor;

import java.lang.foreign.MemorySegment;

/**
 * A 2-D weight stored row-major as its file stores it: {@code rows} rows (output features) of
 * {@code cols} values (input features) each, every row a whole number of {@code type} blocks.
 * {@code data} is usually a read-only slice of a mapped model file (never copied to the heap).
 * Rows start {@code rowStride} bytes apart: {@link #rowBytes()} for a whole matrix, more for a
 * {@link #colSlice} (a row-parallel tensor-parallel shard, which keeps the file's row pitch).
 *
 * @param data      (rows, cols) in {@code type}; row r at byte r * rowStride; exactly
 *                  {@code (rows - 1) * rowStride + rowBytes()} bytes
 * @param rowStride bytes from the start of one row to the next, >= rowBytes()
 */
public record WeightMatrix(String name, GgmlType type, int rows, int cols, MemorySegment data, long rowStride) {
    public WeightMatrix {
        if (rows <= 0 || cols <= 0) throw new IllegalArgumentException(name + ": shape " + rows + "x" + cols);
        if (cols % type.blockSize() != 0) {
            throw new IllegalArgumentException(name + ": " + cols + " columns is not a multiple of the " + type + " block size " + type.blockSize());
        }
        long rowBytes = type.bytesFor(cols);
        if (rowStride < rowBytes) throw new IllegalArgumentException(name + ": row stride " + rowStride + " bytes is less than a row of " + rowBytes);
        long want = (long) (rows - 1) * rowStride + rowBytes;
        if (data.byteSize() != want) {
            throw new IllegalArgumentException(name + ": " + data.byteSize() + " bytes of data, " + rows + "x" + cols + " " + type + " needs " + want);
        }
    }

    /** A contiguous matrix: rows follow each other with no gap. */
    public WeightMatrix(String name, GgmlType type, int rows, int cols, MemorySegment data) {
        this(name, type, rows, cols, data, (long) cols / type.blockSize() * type.blockBytes());
    }

    /** Bytes of one row. */
    public long rowBytes() { return type.bytesFor(cols); }

    /** Whether rows follow each other with no gap (false for a column slice). */
    public boolean contiguous() { return rowStride == rowBytes(); }

    /** A view of rows [from, to): a column-parallel tensor-parallel shard, no copy. */
    public WeightMatrix rowSlice(int from, int to) {
        if (from < 0 || to > rows || from >= to) throw new IllegalArgumentException(name + ": rows [" + from + "," + to + ") of " + rows);
        long bytes = (long) (to - from - 1) * rowStride + rowBytes();
        return new WeightMatrix(name + "[" + from + ":" + to + "]", type, to - from, cols, data.asSlice(from * rowStride, bytes), rowStride);
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
        long bytes = (long) (rows - 1) * rowStride + type.bytesFor(to - from);
        return new WeightMatrix(name + "[:," + from + ":" + to + "]", type, rows, to - from, data.asSlice(type.bytesFor(from), bytes), rowStride);
    }
}
