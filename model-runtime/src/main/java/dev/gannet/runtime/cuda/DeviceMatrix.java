package dev.gannet.runtime.cuda;

import dev.gannet.runtime.tensor.GgmlType;

/**
 * One weight matrix (rows, cols) in device memory: dense in the activation dtype, or Q8_0 / Q4_0 blocks in the
 * GGUF file layout that the GEMV kernels read (34 / 18 bytes per 32 values, rows back to back).
 *
 * @param format how the bytes at {@code ptr} are laid out
 * @param ptr    CUdeviceptr of row 0
 */
record DeviceMatrix(Format format, long ptr, int rows, int cols) {
    /** DENSE: the activation dtype; Q8_0 and Q4_0 stay quantized. */
    enum Format { DENSE, Q8_0, Q4_0 }

    DeviceMatrix {
        if (rows <= 0 || cols <= 0) throw new IllegalArgumentException("device matrix " + rows + "x" + cols);
        if (format != Format.DENSE && cols % 32 != 0) throw new IllegalArgumentException(format + " matrix of " + cols + " columns");
    }

    /**
     * How a checkpoint type is kept on the device: Q8_0 and Q4_0 as they are (the GEMV kernels read them, and a
     * dequantized slice feeds cuBLAS for large batches); everything else (F32, F16, BF16, the K-quants) dense in
     * the activation dtype, converted once at load.
     */
    static Format formatFor(GgmlType t) {
        return switch (t) {
            case Q8_0 -> Format.Q8_0;
            case Q4_0 -> Format.Q4_0;
            default -> Format.DENSE;
        };
    }

    /** Bytes of one row. */
    static long rowBytes(Format f, int cols, DeviceDtype dtype) {
        return switch (f) {
            case DENSE -> (long) cols * dtype.bytes();
            case Q8_0 -> (long) cols / 32 * 34;
            case Q4_0 -> (long) cols / 32 * 18;
        };
    }

    long rowBytes(DeviceDtype dtype) {
        return rowBytes(format, cols, dtype);
    }

    long bytes(DeviceDtype dtype) {
        return rows * rowBytes(dtype);
    }

    boolean quantized() {
        return format != Format.DENSE;
    }
}
