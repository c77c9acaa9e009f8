package dev.gannet.runtime.gguf;

import dev.gannet.runtime.tensor.GgmlType;
import java.lang.foreign.MemorySegment;

/**
 * One tensor of a GGUF file. {@code shape} is in ggml order: {@code shape[0]} is the innermost
 * (contiguous) dimension, so a weight matrix of {@code rows x cols} has shape {@code {cols, rows}}.
 *
 * @param data a read-only slice of the mapped file, exactly {@code type.bytesFor(elementCount())} long
 */
public record GgufTensorInfo(String name, GgmlType type, long[] shape, long offset, MemorySegment data) {
    public long elementCount() {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }
}
