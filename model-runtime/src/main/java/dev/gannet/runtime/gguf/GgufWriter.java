package dev.gannet.runtime.gguf;

import dev.gannet.runtime.tensor.GgmlType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a GGUF v3 file: metadata of every value type (arrays included), tensor infos, and tensor
 * data aligned to {@link #alignment()} bytes. Tensor data are streamed: each tensor's
 * {@link TensorContent} is called in turn while writing and produces its bytes on the fly, so a
 * multi-gigabyte model never sits in memory. Not thread-safe; one writer per file.
 */
public final class GgufWriter {
    /** GGUF metadata value types, numbered as the file numbers them. */
    public enum ValueType {
        UINT8(0), INT8(1), UINT16(2), INT16(3), UINT32(4), INT32(5), FLOAT32(6), BOOL(7), STRING(8), ARRAY(9),
        UINT64(10), INT64(11), FLOAT64(12);

        final int id;

        ValueType(int id) { this.id = id; }
    }

    /** Produces one tensor's bytes, in order, into the sink; exactly the tensor's size in total. */
    @FunctionalInterface
    public interface TensorContent {
        void write(TensorSink sink) throws IOException;
    }

    /** Where a {@link TensorContent} writes. */
    public interface TensorSink {
        void write(ByteBuffer bytes) throws IOException;

        default void write(byte[] bytes, int offset, int length) throws IOException {
            write(ByteBuffer.wrap(bytes, offset, length));
        }
    }

    private record Meta(ValueType type, Object value) {}

    private record Tensor(String name, GgmlType type, long[] shape, long bytes, TensorContent content) {}

    private final int alignment;
    private final Map<String, Meta> metadata = new LinkedHashMap<>();
    private final Map<String, Tensor> tensors = new LinkedHashMap<>();

    public GgufWriter() {
        this(32);
    }

    public GgufWriter(int alignment) {
        if (alignment <= 0 || Integer.bitCount(alignment) != 1) throw new IllegalArgumentException("alignment " + alignment + " is not a power of two");
        this.alignment = alignment;
    }

    public int alignment() { return alignment; }

    public GgufWriter putU8(String key, int v) { return meta(key, ValueType.UINT8, (byte) v); }
    public GgufWriter putI8(String key, int v) { return meta(key, ValueType.INT8, (byte) v); }
    public GgufWriter putU16(String key, int v) { return meta(key, ValueType.UINT16, (short) v); }
    public GgufWriter putI16(String key, int v) { return meta(key, ValueType.INT16, (short) v); }
    public GgufWriter putU32(String key, int v) { return meta(key, ValueType.UINT32, v); }
    public GgufWriter putI32(String key, int v) { return meta(key, ValueType.INT32, v); }
    public GgufWriter putU64(String key, long v) { return meta(key, ValueType.UINT64, v); }
    public GgufWriter putI64(String key, long v) { return meta(key, ValueType.INT64, v); }
    public GgufWriter putF32(String key, float v) { return meta(key, ValueType.FLOAT32, v); }
    public GgufWriter putF64(String key, double v) { return meta(key, ValueType.FLOAT64, v); }
    public GgufWriter putBool(String key, boolean v) { return meta(key, ValueType.BOOL, v); }
    public GgufWriter putString(String key, String v) { return meta(key, ValueType.STRING, v); }

    /**
     * An array. {@code values} is a primitive array matching {@code elementType} (byte[] for u8/i8,
     * short[] for u16/i16, int[] for u32/i32, long[] for u64/i64, float[], double[], boolean[]), a
     * List of String for STRING, or a List of arrays (each a primitive array or List of String) for ARRAY.
     */
    public GgufWriter putArray(String key, ValueType elementType, Object values) {
        checkArray(key, elementType, values);
        return meta(key, ValueType.ARRAY, new Object[] {elementType, values});
    }

    /**
     * A value as {@link GgufFile} returns it, for copying metadata between files. Scalar integers
     * become the unsigned types (u8, u16, u32, u64: llama.cpp's ids and sizes are unsigned) and
     * integer arrays the signed ones (i8, i16, i32, i64: as {@code tokenizer.ggml.token_type}).
     */
    public GgufWriter put(String key, Object value) {
        return switch (value) {
            case Byte b -> putU8(key, b);
            case Short s -> putU16(key, s);
            case Integer i -> putU32(key, i);
            case Long l -> putU64(key, l);
            case Float f -> putF32(key, f);
            case Double d -> putF64(key, d);
            case Boolean b -> putBool(key, b);
            case String s -> putString(key, s);
            default -> putArray(key, inferElementType(key, value), value);
        };
    }

    private static ValueType inferElementType(String key, Object array) {
        return switch (array) {
            case byte[] a -> ValueType.INT8;
            case short[] a -> ValueType.INT16;
            case int[] a -> ValueType.INT32;
            case long[] a -> ValueType.INT64;
            case float[] a -> ValueType.FLOAT32;
            case double[] a -> ValueType.FLOAT64;
            case boolean[] a -> ValueType.BOOL;
            case List<?> l when l.isEmpty() || l.getFirst() instanceof String -> ValueType.STRING;
            case List<?> l -> ValueType.ARRAY;
            default -> throw new IllegalArgumentException("metadata " + key + ": cannot store a " + array.getClass().getSimpleName());
        };
    }

    private static void checkArray(String key, ValueType t, Object v) {
        boolean ok = switch (t) {
            case UINT8, INT8 -> v instanceof byte[];
            case UINT16, INT16 -> v instanceof short[];
            case UINT32, INT32 -> v instanceof int[];
            case UINT64, INT64 -> v instanceof long[];
            case FLOAT32 -> v instanceof float[];
            case FLOAT64 -> v instanceof double[];
            case BOOL -> v instanceof boolean[];
            case STRING -> v instanceof List<?> l && l.stream().allMatch(String.class::isInstance);
            case ARRAY -> v instanceof List<?> l && l.stream().allMatch(e -> e != null && !(e instanceof String));
        };
        if (!ok) throw new IllegalArgumentException("metadata " + key + ": " + (v == null ? "null" : v.getClass().getSimpleName()) + " is not an array of " + t);
        if (t == ValueType.ARRAY) {
            for (Object e : (List<?>) v) checkArray(key, inferElementType(key, e), e);
        }
    }

    private GgufWriter meta(String key, ValueType type, Object value) {
        if (key == null || key.isEmpty()) throw new IllegalArgumentException("empty metadata key");
        if (value == null) throw new IllegalArgumentException("metadata " + key + ": null value");
        metadata.put(key, new Meta(type, value));
        return this;
    }

    public boolean hasMetadata(String key) { return metadata.containsKey(key); }

    /**
     * Declares a tensor. {@code shape} is in ggml order (innermost first: a rows x cols matrix is
     * {@code {cols, rows}}); {@code content} is called during {@link #write} to produce its bytes.
     */
    public GgufWriter addTensor(String name, GgmlType type, long[] shape, TensorContent content) {
        if (shape.length < 1 || shape.length > 4) throw new IllegalArgumentException("tensor " + name + ": " + shape.length + " dimensions");
        long n = 1;
        for (long d : shape) {
            if (d <= 0) throw new IllegalArgumentException("tensor " + name + ": shape " + java.util.Arrays.toString(shape));
            n *= d;
        }
        if (shape[0] % type.blockSize() != 0) {
            throw new IllegalArgumentException("tensor " + name + ": row of " + shape[0] + " is not a multiple of the " + type + " block size " + type.blockSize());
        }
        if (tensors.containsKey(name)) throw new IllegalArgumentException("tensor " + name + " added twice");
        tensors.put(name, new Tensor(name, type, shape.clone(), type.bytesFor(n), content));
        return this;
    }

    /** Writes the file (replacing any existing one); returns its size in bytes. */
    public long write(Path path) throws IOException {
        if (!metadata.containsKey("general.alignment") && alignment != 32) putU32("general.alignment", alignment);
        Le h = new Le();
        h.i32(0x46554747).i32(3).i64(tensors.size()).i64(metadata.size());
        for (Map.Entry<String, Meta> e : metadata.entrySet()) {
            h.str(e.getKey()).i32(e.getValue().type.id);
            value(h, e.getValue().type, e.getValue().value);
        }
        long offset = 0;
        List<Long> offsets = new ArrayList<>();
        for (Tensor t : tensors.values()) {
            h.str(t.name).i32(t.shape.length);
            for (long d : t.shape) h.i64(d);
            h.i32(t.type.id()).i64(offset);
            offsets.add(offset);
            offset = align(offset + t.bytes);
        }
        h.pad(align(h.size) - h.size);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(ch, ByteBuffer.wrap(h.buf, 0, h.size));
            long[] count = new long[1];
            TensorSink sink = b -> { count[0] += b.remaining(); writeFully(ch, b); };
            for (Tensor t : tensors.values()) {
                count[0] = 0;
                t.content.write(sink);
                if (count[0] != t.bytes) {
                    throw new GgufException(path, "tensor " + t.name + ": content wrote " + count[0] + " bytes, " + t.type + " "
                            + java.util.Arrays.toString(t.shape) + " needs " + t.bytes);
                }
                int pad = (int) (align(t.bytes) - t.bytes);
                if (pad > 0) writeFully(ch, ByteBuffer.allocate(pad));
            }
            return ch.size();
        }
    }

    private long align(long n) {
        return (n + alignment - 1) / alignment * alignment;
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }

    private static void value(Le h, ValueType type, Object v) {
        switch (type) {
            case UINT8, INT8 -> h.u8((Byte) v);
            case UINT16, INT16 -> h.i16((Short) v);
            case UINT32, INT32 -> h.i32((Integer) v);
            case UINT64, INT64 -> h.i64((Long) v);
            case FLOAT32 -> h.i32(Float.floatToRawIntBits((Float) v));
            case FLOAT64 -> h.i64(Double.doubleToRawLongBits((Double) v));
            case BOOL -> h.u8((Boolean) v ? 1 : 0);
            case STRING -> h.str((String) v);
            case ARRAY -> { Object[] a = (Object[]) v; array(h, (ValueType) a[0], a[1]); }
        }
    }

    private static void array(Le h, ValueType t, Object v) {
        h.i32(t.id);
        switch (v) {
            case byte[] a -> { h.i64(a.length); for (byte x : a) h.u8(x); }
            case short[] a -> { h.i64(a.length); for (short x : a) h.i16(x); }
            case int[] a -> { h.i64(a.length); for (int x : a) h.i32(x); }
            case long[] a -> { h.i64(a.length); for (long x : a) h.i64(x); }
            case float[] a -> { h.i64(a.length); for (float x : a) h.i32(Float.floatToRawIntBits(x)); }
            case double[] a -> { h.i64(a.length); for (double x : a) h.i64(Double.doubleToRawLongBits(x)); }
            case boolean[] a -> { h.i64(a.length); for (boolean x : a) h.u8(x ? 1 : 0); }
            case List<?> l when t == ValueType.STRING -> { h.i64(l.size()); for (Object s : l) h.str((String) s); }
            case List<?> l -> { h.i64(l.size()); for (Object e : l) array(h, inferElementType("array", e), e); }
            default -> throw new IllegalStateException("checked in putArray");
        }
    }

    /** A growable little-endian byte buffer for the header. */
    private static final class Le {
        byte[] buf = new byte[1 << 16];
        int size;

        private void room(int n) {
            if (size + n > buf.length) buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
        }

        Le u8(int v) { room(1); buf[size++] = (byte) v; return this; }

        Le i16(int v) { room(2); buf[size++] = (byte) v; buf[size++] = (byte) (v >> 8); return this; }

        Le i32(int v) { room(4); for (int i = 0; i < 4; i++) buf[size++] = (byte) (v >> (8 * i)); return this; }

        Le i64(long v) { room(8); for (int i = 0; i < 8; i++) buf[size++] = (byte) (v >> (8 * i)); return this; }

        Le str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            i64(b.length);
            room(b.length);
            System.arraycopy(b, 0, buf, size, b.length);
            size += b.length;
            return this;
        }

        Le pad(long n) { room((int) n); size += (int) n; return this; }
    }
}
