package dev.gannet.runtime.safetensors;

import dev.gannet.runtime.tensor.MappedFiles;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One safetensors file mapped read-only with FFM. Layout: an 8-byte little-endian header length N,
 * N bytes of JSON ({@code name -> {dtype, shape, data_offsets}} plus an optional {@code __metadata__}),
 * then the tensor data; offsets are relative to the end of the header. Tensor data are slices of the
 * mapping: nothing is copied to the heap. The mapping lives until {@link #close()}.
 */
public final class SafetensorsFile implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final long MAX_HEADER = 100L << 20; // the format's own limit is 100 MB

    private final Path path;
    private final Arena arena;
    private final Map<String, SafetensorsTensor> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path) throws IOException {
        this.path = path;
        this.arena = Arena.ofShared();
        try {
            MemorySegment file = MappedFiles.map(path, arena);
            JsonNode header = readHeader(file);
            long dataStart = 8 + file.get(U64, 0);
            Map<String, String> md = new LinkedHashMap<>();
            Map<String, SafetensorsTensor> ts = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    e.getValue().fields().forEachRemaining(m -> md.put(m.getKey(), m.getValue().asText()));
                } else {
                    ts.put(e.getKey(), tensor(e.getKey(), e.getValue(), file, dataStart));
                }
            }
            this.tensors = Collections.unmodifiableMap(ts);
            this.metadata = Collections.unmodifiableMap(md);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** Maps and parses one safetensors file. */
    public static SafetensorsFile open(Path path) throws IOException {
        return new SafetensorsFile(path);
    }

    public Path path() { return path; }

    /** Tensors in header order. */
    public Map<String, SafetensorsTensor> tensors() { return tensors; }

    /** The {@code __metadata__} string map (empty when absent). */
    public Map<String, String> metadata() { return metadata; }

    /** The tensor, or a clear error naming the file and the missing tensor. */
    public SafetensorsTensor tensor(String name) throws SafetensorsException {
        SafetensorsTensor t = tensors.get(name);
        if (t == null) throw new SafetensorsException(path, "missing tensor " + name);
        return t;
    }

    @Override
    public void close() {
        arena.close();
    }

    private JsonNode readHeader(MemorySegment file) throws SafetensorsException {
        if (file.byteSize() < 8) throw new SafetensorsException(path, "not a safetensors file (only " + file.byteSize() + " bytes)");
        long n = file.get(U64, 0);
        if (n < 2 || n > MAX_HEADER) {
            throw new SafetensorsException(path, "not a safetensors file (implausible header length " + Long.toUnsignedString(n) + ")");
        }
        if (8 + n > file.byteSize()) {
            throw new SafetensorsException(path, "header of " + n + " bytes but the file has " + file.byteSize() + " bytes (truncated)");
        }
        String text = new String(file.asSlice(8, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        try {
            JsonNode node = JSON.readTree(text);
            if (node == null || !node.isObject()) throw new SafetensorsException(path, "header is not a JSON object");
            return node;
        } catch (JsonProcessingException e) {
            throw new SafetensorsException(path, "header is not valid JSON (" + e.getOriginalMessage() + ")");
        }
    }

    /** A JSON integer >= 0, or -1 for anything else (a string, a fraction, a number past a long). */
    private static long natural(JsonNode n) {
        return n.isIntegralNumber() && n.canConvertToLong() ? Math.max(-1, n.asLong()) : -1;
    }

    private SafetensorsTensor tensor(String name, JsonNode spec, MemorySegment file, long dataStart) throws SafetensorsException {
        String where = "tensor " + name + ": ";
        JsonNode dt = spec.get("dtype");
        JsonNode sh = spec.get("shape");
        JsonNode off = spec.get("data_offsets");
        if (dt == null || !dt.isTextual()) throw new SafetensorsException(path, where + "missing dtype");
        if (sh == null || !sh.isArray()) throw new SafetensorsException(path, where + "missing shape");
        if (off == null || !off.isArray() || off.size() != 2) throw new SafetensorsException(path, where + "missing data_offsets [begin, end]");
        Dtype dtype = Dtype.byName(dt.asText());
        if (dtype == null) throw new SafetensorsException(path, where + "unknown dtype " + dt.asText());
        long[] shape = new long[sh.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = natural(sh.get(i));
            // the product is checked against the data below; it must not overflow on the way there
            if (shape[i] < 0 || (shape[i] > 0 && count > Long.MAX_VALUE / 8 / shape[i])) {
                throw new SafetensorsException(path, where + "bad shape " + sh);
            }
            count *= shape[i];
        }
        long begin = natural(off.get(0));
        long end = natural(off.get(1));
        if (begin < 0 || end < begin) throw new SafetensorsException(path, where + "bad data_offsets " + off);
        if (end - begin != count * dtype.bytes()) {
            throw new SafetensorsException(path, where + "data_offsets " + off + " hold " + (end - begin) + " bytes but shape "
                    + sh + " " + dtype + " needs " + count * dtype.bytes());
        }
        if (end > file.byteSize() - dataStart) { // not dataStart + end: that may overflow
            throw new SafetensorsException(path, where + "data_offsets end " + end + " is past the " + (file.byteSize() - dataStart)
                    + " bytes of data the file has (truncated)");
        }
        return new SafetensorsTensor(path, name, dtype, shape, file.asSlice(dataStart + begin, end - begin).asReadOnly());
    }
}
