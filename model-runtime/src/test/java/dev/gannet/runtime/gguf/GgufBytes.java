package dev.gannet.runtime.gguf;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Writes GGUF bytes field by field, including what {@link GgufWriter} refuses to write (lying counts,
 * overflowing shapes, offsets past the end), for the tests of hostile files.
 */
public final class GgufBytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** Magic, version 3, the tensor and metadata counts as given. */
    public GgufBytes(long tensors, long keys) {
        u32(0x46554747).u32(3).u64(tensors).u64(keys);
    }

    public GgufBytes u32(int v) {
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
        return this;
    }

    public GgufBytes u64(long v) {
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
        return this;
    }

    public GgufBytes f32(float v) {
        return u32(Float.floatToRawIntBits(v));
    }

    public GgufBytes str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        u64(b.length);
        out.writeBytes(b);
        return this;
    }

    /** A metadata key with a u32 value. */
    public GgufBytes keyU32(String key, int v) {
        return str(key).u32(4).u32(v);
    }

    /** A metadata key with an f32 value. */
    public GgufBytes keyF32(String key, float v) {
        return str(key).u32(6).f32(v);
    }

    /** A metadata key with a string value. */
    public GgufBytes keyString(String key, String v) {
        return str(key).u32(8).str(v);
    }

    /** A tensor info: name, dimensions (ggml order), type id, offset in the data section. */
    public GgufBytes tensor(String name, int type, long offset, long... shape) {
        str(name).u32(shape.length);
        for (long d : shape) u64(d);
        return u32(type).u64(offset);
    }

    /** Zero bytes up to the next multiple of 32 (the data section starts aligned). */
    public GgufBytes align() {
        while (out.size() % 32 != 0) out.write(0);
        return this;
    }

    public GgufBytes zeros(int n) {
        out.writeBytes(new byte[n]);
        return this;
    }

    public byte[] bytes() {
        return out.toByteArray();
    }
}
