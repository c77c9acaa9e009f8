package dev.gannet.runtime.cuda;

/**
 * How the device KV cache stores an element (the codecs of common.cuh), which picks the variant of the
 * RoPE-write and attention kernels: {@link #NATIVE} the activation dtype itself (f16, bf16 or f32), {@link #Q8_0}
 * int8 with an f32 scale per 32 elements (the CPU's {@code q8_0} layout), {@link #FP8} e4m3 bytes with an f32 scale
 * per (slot, KV head) row.
 */
public enum KvFormat {
    NATIVE(""), Q8_0("q8_0_"), FP8("fp8_");

    private final String infix;

    KvFormat(String infix) {
        this.infix = infix;
    }

    /** What goes between the kernel's base name and its dtype suffix, e.g. "q8_0_" in rope_kv_write_q8_0_f16. */
    String infix() {
        return infix;
    }

    /** Bytes one element takes in the data region. */
    public int elementBytes(DeviceDtype activations) {
        return this == NATIVE ? activations.bytes() : 1;
    }

    /** f32 scales per head row of {@code headDim} elements (0 when the format has none). */
    public int scalesPerRow(int headDim) {
        return switch (this) {
            case NATIVE -> 0;
            case Q8_0 -> headDim / 32;
            case FP8 -> 1;
        };
    }

    /** Bytes one KV head row (headDim elements) takes, its scales included. */
    public long rowBytes(DeviceDtype activations, int headDim) {
        return (long) headDim * elementBytes(activations) + 4L * scalesPerRow(headDim);
    }
}
