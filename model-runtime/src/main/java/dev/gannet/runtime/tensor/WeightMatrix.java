package dev.gannet.runtime.tensor;

import java.lang.foreign.MemorySegment;

/**
 * A 2-D weight stored row-major as its file stores it: {@code rows} rows (output features) of
 * {@code cols} values (input features) each, every row a whole number of {@code type} blocks.
 * {@code data} is usually a read-only slice of a mapped model file (never copied to the heap).
 *
 * @param data (rows, cols) in {@code type}; exactly {@code rows * rowBytes()} bytes
 */
public record WeightMatrix(String name, GgmlType type, int rows, int cols, MemorySegment data) {
    public WeightMatrix {
        if (rows <= 0 || cols <= 0) throw new IllegalArgumentException(name + ": shape " + rows + "x" + cols);
        if (cols % type.blockSize() != 0) {
            throw new IllegalArgumentException(name + ": " + cols + " columns is not a multiple of the " + type + " block size " + type.blockSize());
        }
        long want = (long) rows * type.bytesFor(cols);
        if (data.byteSize() != want) {
            throw new IllegalArgumentException(name + ": " + data.byteSize() + " bytes of data, " + rows + "x" + cols + " " + type + " needs " + want);
        }
    }

    /** Bytes of one row. */
    public long rowBytes() { return type.bytesFor(cols); }

    /** A view of rows [from, to): a tensor-parallel shard, no copy. */
    public WeightMatrix rowSlice(int from, int to) {
        if (from < 0 || to > rows || from >= to) throw new IllegalArgumentException(name + ": rows [" + from + "," + to + ") of " + rows);
        long rb = rowBytes();
        return new WeightMatrix(name + "[" + from + ":" + to + "]", type, to - from, cols, data.asSlice(from * rb, (to - from) * rb));
    }
}
