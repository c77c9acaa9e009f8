package dev.gannet.runtime.gguf;

import dev.gannet.runtime.tensor.GgmlType;
import dev.gannet.runtime.tensor.MappedFiles;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GGUF (v2/v3) file mapped read-only into memory. Tensor data are slices of the mapping: nothing
 * is copied to the Java heap. Metadata values map to Java as: u8/i8 -> Byte, u16/i16 -> Short,
 * u32/i32 -> Integer (u32 as its bit pattern), u64/i64 -> Long, f32 -> Float, f64 -> Double,
 * bool -> Boolean, string -> String; arrays of numbers -> primitive arrays of the same width
 * (byte[], short[], int[], long[], float[], double[], boolean[]), arrays of strings -> List of String,
 * arrays of arrays -> List of Object.
 */
public final class GgufFile implements AutoCloseable {
    private static final int MAGIC = 0x46554747; // "GGUF" little-endian
    /** Arrays of arrays deeper than this are refused: each level recurses, and no model file nests at all. */
    private static final int MAX_ARRAY_DEPTH = 8;
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final Arena arena;
    private final MemorySegment file;
    private final int version;
    private final Map<String, Object> metadata;
    private final Map<String, GgufTensorInfo> tensors;
    private final long dataOffset;
    private long pos;

    private GgufFile(Path path) throws IOException {
        this.path = path;
        this.arena = Arena.ofShared();
        try {
            this.file = MappedFiles.map(path, arena);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
        try {
            if (file.byteSize() < 24 || file.get(I32, 0) != MAGIC) {
                throw new GgufException(path, "not a GGUF file (wrong magic)");
            }
            version = file.get(I32, 4);
            if (version != 2 && version != 3) {
                throw new GgufException(path, "unsupported GGUF version " + version + " (2 and 3 are supported)");
            }
            pos = 8;
            long tensorCount = u64("tensor count");
            long kvCount = u64("metadata count");
            Map<String, Object> md = new LinkedHashMap<>();
            for (long i = 0; i < kvCount; i++) {
                String key = string("metadata key");
                int type = i32("type of " + key);
                md.put(key, value(type, key));
            }
            metadata = Collections.unmodifiableMap(md);
            int alignment = metadata.get("general.alignment") instanceof Integer a ? a : 32;
            if (alignment <= 0 || Integer.bitCount(alignment) != 1) {
                throw new GgufException(path, "general.alignment " + alignment + " is not a power of two");
            }
            record Raw(String name, GgmlType type, long[] shape, long offset) {}
            List<Raw> raws = new ArrayList<>();
            for (long i = 0; i < tensorCount; i++) {
                String name = string("tensor name");
                int nDims = i32("dimensions of " + name);
                if (nDims < 1 || nDims > 4) throw new GgufException(path, "tensor " + name + ": " + nDims + " dimensions");
                long[] shape = new long[nDims];
                for (int d = 0; d < nDims; d++) {
                    shape[d] = u64("shape of " + name);
                    if (shape[d] <= 0) throw new GgufException(path, "tensor " + name + ": dimension " + d + " is " + shape[d]);
                }
                int typeId = i32("type of " + name);
                GgmlType type = GgmlType.byId(typeId);
                if (type == null) throw new GgufException(path, "tensor " + name + ": unknown tensor type " + typeId);
                long offset = u64("offset of " + name);
                raws.add(new Raw(name, type, shape, offset));
            }
            dataOffset = (pos + alignment - 1) / alignment * alignment;
            Map<String, GgufTensorInfo> ts = new LinkedHashMap<>();
            for (Raw r : raws) {
                long n = elementCount(r.name, r.shape);
                if (r.shape[0] % r.type.blockSize() != 0) {
                    throw new GgufException(path, "tensor " + r.name + ": row of " + r.shape[0]
                            + " values is not a multiple of the " + r.type + " block size " + r.type.blockSize());
                }
                long bytes = r.type.bytesFor(n);
                long start = dataOffset + r.offset;
                if (r.offset % alignment != 0) {
                    throw new GgufException(path, "tensor " + r.name + ": offset " + r.offset + " is not aligned to " + alignment);
                }
                // compared as differences: offset and size come from the file and their sum may overflow
                if (r.offset > file.byteSize() - dataOffset || bytes > file.byteSize() - start) {
                    throw new GgufException(path, "tensor " + r.name + ": " + bytes + " bytes at data offset " + r.offset
                            + " end past the file's " + file.byteSize() + " bytes (truncated or a lying header)");
                }
                if (ts.containsKey(r.name)) throw new GgufException(path, "tensor " + r.name + " appears twice");
                ts.put(r.name, new GgufTensorInfo(r.name, r.type, r.shape, r.offset, file.asSlice(start, bytes).asReadOnly()));
            }
            tensors = Collections.unmodifiableMap(ts);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** Maps and parses a GGUF file; the mapping lives until {@link #close()}. */
    public static GgufFile open(Path path) throws IOException {
        return new GgufFile(path);
    }

    public Path path() { return path; }

    public int version() { return version; }

    /** Byte offset of the tensor data section in the file. */
    public long dataOffset() { return dataOffset; }

    public Map<String, Object> metadata() { return metadata; }

    public Map<String, GgufTensorInfo> tensors() { return tensors; }

    /** The tensor, or a clear error naming the file and the missing tensor. */
    public GgufTensorInfo tensor(String name) throws GgufException {
        GgufTensorInfo t = tensors.get(name);
        if (t == null) throw new GgufException(path, "missing tensor " + name);
        return t;
    }

    public boolean has(String key) { return metadata.containsKey(key); }

    public String getString(String key) throws GgufException {
        return switch (require(key)) {
            case String s -> s;
            case Object o -> throw wrongType(key, o, "string");
        };
    }

    public String getString(String key, String dflt) throws GgufException {
        return has(key) ? getString(key) : dflt;
    }

    public long getLong(String key) throws GgufException {
        return switch (require(key)) {
            case Byte b -> b;
            case Short s -> s;
            case Integer i -> Integer.toUnsignedLong(i) <= Integer.MAX_VALUE ? i : Integer.toUnsignedLong(i);
            case Long l -> l;
            case Object o -> throw wrongType(key, o, "integer");
        };
    }

    public int getInt(String key) throws GgufException {
        long v = getLong(key);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) throw new GgufException(path, "metadata " + key + " = " + v + " does not fit an int");
        return (int) v;
    }

    public int getInt(String key, int dflt) throws GgufException {
        return has(key) ? getInt(key) : dflt;
    }

    public float getFloat(String key) throws GgufException {
        return switch (require(key)) {
            case Float f -> f;
            case Double d -> d.floatValue();
            case Byte b -> b;
            case Short s -> s;
            case Integer i -> i;
            case Long l -> l;
            case Object o -> throw wrongType(key, o, "number");
        };
    }

    public float getFloat(String key, float dflt) throws GgufException {
        return has(key) ? getFloat(key) : dflt;
    }

    public boolean getBoolean(String key, boolean dflt) throws GgufException {
        if (!has(key)) return dflt;
        return switch (require(key)) {
            case Boolean b -> b;
            case Object o -> throw wrongType(key, o, "bool");
        };
    }

    @SuppressWarnings("unchecked")
    public List<String> getStringArray(String key) throws GgufException {
        Object o = require(key);
        if (o instanceof List<?> l && (l.isEmpty() || l.getFirst() instanceof String)) return (List<String>) l;
        throw wrongType(key, o, "array of strings");
    }

    public float[] getFloatArray(String key) throws GgufException {
        Object o = require(key);
        if (o instanceof float[] f) return f;
        throw wrongType(key, o, "array of f32");
    }

    public int[] getIntArray(String key) throws GgufException {
        Object o = require(key);
        if (o instanceof int[] i) return i;
        throw wrongType(key, o, "array of i32/u32");
    }

    private Object require(String key) throws GgufException {
        Object o = metadata.get(key);
        if (o == null) throw new GgufException(path, "missing metadata " + key);
        return o;
    }

    private GgufException wrongType(String key, Object o, String want) {
        return new GgufException(path, "metadata " + key + " is " + o.getClass().getSimpleName() + ", expected " + want);
    }

    @Override
    public void close() {
        arena.close();
    }

    // ---- parsing ------------------------------------------------------------------------------

    /** The product of the dimensions, refused when it could not describe data inside any file. */
    private long elementCount(String name, long[] shape) throws GgufException {
        long n = 1;
        for (long d : shape) {
            if (d > Long.MAX_VALUE / 64 / n) { // 64: no element type takes more bytes a value, so bytesFor cannot overflow
                throw new GgufException(path, "tensor " + name + ": shape " + java.util.Arrays.toString(shape) + " has too many elements");
            }
            n *= d;
        }
        return n;
    }

    private void need(long n, String what) throws GgufException {
        if (n < 0 || pos + n > file.byteSize()) {
            throw new GgufException(path, "truncated while reading " + what + " at byte " + pos);
        }
    }

    private int i32(String what) throws GgufException {
        need(4, what);
        int v = file.get(I32, pos);
        pos += 4;
        return v;
    }

    private long u64(String what) throws GgufException {
        need(8, what);
        long v = file.get(I64, pos);
        pos += 8;
        if (v < 0) throw new GgufException(path, "implausible " + what + ": " + Long.toUnsignedString(v));
        return v;
    }

    private String string(String what) throws GgufException {
        long len = u64("length of " + what);
        need(len, what);
        if (len > Integer.MAX_VALUE) throw new GgufException(path, what + " is " + len + " bytes long");
        byte[] b = file.asSlice(pos, len).toArray(ValueLayout.JAVA_BYTE);
        pos += len;
        return new String(b, StandardCharsets.UTF_8);
    }

    private Object value(int type, String key) throws GgufException {
        String what = "value of " + key;
        return switch (type) {
            case 0, 1 -> { need(1, what); yield file.get(ValueLayout.JAVA_BYTE, pos++); }
            case 2, 3 -> { need(2, what); short s = file.get(I16, pos); pos += 2; yield s; }
            case 4, 5 -> i32(what);
            case 6 -> { need(4, what); float f = file.get(F32, pos); pos += 4; yield f; }
            case 7 -> { need(1, what); yield file.get(ValueLayout.JAVA_BYTE, pos++) != 0; }
            case 8 -> string(what);
            case 9 -> array(key, 1);
            case 10, 11 -> { need(8, what); long l = file.get(I64, pos); pos += 8; yield l; }
            case 12 -> { need(8, what); double d = file.get(F64, pos); pos += 8; yield d; }
            default -> throw new GgufException(path, "metadata " + key + ": unknown value type " + type);
        };
    }

    private Object array(String key, int depth) throws GgufException {
        if (depth > MAX_ARRAY_DEPTH) throw new GgufException(path, "metadata " + key + ": arrays nested deeper than " + MAX_ARRAY_DEPTH);
        int type = i32("array type of " + key);
        long n = u64("array length of " + key);
        if (n > Integer.MAX_VALUE) throw new GgufException(path, "metadata " + key + ": array of " + n + " elements");
        int len = (int) n;
        String what = "array " + key;
        // Lists are sized before their elements are read: check that the file holds at least each element's
        // length field (8 bytes a string, 12 an array) so a lying count cannot allocate gigabytes.
        if (type == 8) need(8L * len, what);
        if (type == 9) need(12L * len, what);
        return switch (type) {
            case 0, 1 -> { need(len, what); byte[] a = file.asSlice(pos, len).toArray(ValueLayout.JAVA_BYTE); pos += len; yield a; }
            case 2, 3 -> { need(2L * len, what); short[] a = new short[len]; for (int i = 0; i < len; i++) { a[i] = file.get(I16, pos); pos += 2; } yield a; }
            case 4, 5 -> { need(4L * len, what); int[] a = new int[len]; for (int i = 0; i < len; i++) { a[i] = file.get(I32, pos); pos += 4; } yield a; }
            case 6 -> { need(4L * len, what); float[] a = new float[len]; for (int i = 0; i < len; i++) { a[i] = file.get(F32, pos); pos += 4; } yield a; }
            case 7 -> { need(len, what); boolean[] a = new boolean[len]; for (int i = 0; i < len; i++) a[i] = file.get(ValueLayout.JAVA_BYTE, pos++) != 0; yield a; }
            case 8 -> { List<String> a = new ArrayList<>(len); for (int i = 0; i < len; i++) a.add(string(what)); yield Collections.unmodifiableList(a); }
            case 10, 11 -> { need(8L * len, what); long[] a = new long[len]; for (int i = 0; i < len; i++) { a[i] = file.get(I64, pos); pos += 8; } yield a; }
            case 12 -> { need(8L * len, what); double[] a = new double[len]; for (int i = 0; i < len; i++) { a[i] = file.get(F64, pos); pos += 8; } yield a; }
            case 9 -> { List<Object> a = new ArrayList<>(len); for (int i = 0; i < len; i++) a.add(array(key, depth + 1)); yield Collections.unmodifiableList(a); }
            default -> throw new GgufException(path, "metadata " + key + ": unknown array element type " + type);
        };
    }
}
