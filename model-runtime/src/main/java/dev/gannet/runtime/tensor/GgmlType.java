package dev.gannet.runtime.tensor;

/**
 * Tensor element types as GGUF numbers them. A quantized type stores {@link #blockSize()} values in
 * {@link #blockBytes()} bytes; rows are always a whole number of blocks.
 */
public enum GgmlType {
    F32(0, 1, 4),
    F16(1, 1, 2),
    Q4_0(2, 32, 18),   // f16 scale + 16 bytes of nibbles
    Q4_1(3, 32, 20),
    Q5_0(6, 32, 22),
    Q5_1(7, 32, 24),
    Q8_0(8, 32, 34),   // f16 scale + 32 int8
    Q8_1(9, 32, 36),
    Q2_K(10, 256, 84),
    Q3_K(11, 256, 110),
    Q4_K(12, 256, 144), // f16 d, f16 dmin, 12 bytes of 6-bit scales/mins, 128 bytes of nibbles
    Q5_K(13, 256, 176),
    Q6_K(14, 256, 210), // 128 bytes low nibbles, 64 bytes high bits, 16 int8 scales, f16 d
    Q8_K(15, 256, 292),
    I8(24, 1, 1),
    I16(25, 1, 2),
    I32(26, 1, 4),
    I64(27, 1, 8),
    F64(28, 1, 8),
    BF16(30, 1, 2);

    private final int id;
    private final int blockSize;
    private final int blockBytes;

    GgmlType(int id, int blockSize, int blockBytes) {
        this.id = id;
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
    }

    public int id() { return id; }

    /** Values per block (1 for plain types). */
    public int blockSize() { return blockSize; }

    /** Bytes per block. */
    public int blockBytes() { return blockBytes; }

    /** Bytes needed for {@code n} values; {@code n} must be a multiple of the block size. */
    public long bytesFor(long n) {
        if (n % blockSize != 0) {
            throw new IllegalArgumentException(name() + " needs a multiple of " + blockSize + " values, got " + n);
        }
        return n / blockSize * blockBytes;
    }

    /** The types Gannet computes with; the others are recognised only to give a clear error. */
    public boolean supported() {
        return switch (this) {
            case F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K -> true;
            default -> false;
        };
    }

    public static GgmlType byId(int id) {
        for (GgmlType t : values()) {
            if (t.id == id) return t;
        }
        return null;
    }
}
