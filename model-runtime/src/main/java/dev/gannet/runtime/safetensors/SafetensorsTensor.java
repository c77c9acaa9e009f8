package dev.gannet.runtime.safetensors;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * One tensor of a safetensors file. {@code shape} is in PyTorch order (outermost first), so a
 * {@code nn.Linear(in, out)} weight has shape {@code [out, in]}: rows x cols, row-major.
 *
 * @param file the file that holds the tensor (for error messages)
 * @param data a read-only slice of the mapped file, exactly {@code elementCount() * dtype.bytes()} long
 */
public record SafetensorsTensor(Path file, String name, Dtype dtype, long[] shape, MemorySegment data) {
    public SafetensorsTensor {
        long want = count(shape) * dtype.bytes();
        if (data.byteSize() != want) {
            throw new IllegalArgumentException(file + ": tensor " + name + ": " + data.byteSize() + " bytes for shape "
                    + Arrays.toString(shape) + " " + dtype + " (needs " + want + ")");
        }
    }

    public long elementCount() { return count(shape); }

    private static long count(long[] shape) {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }
}
