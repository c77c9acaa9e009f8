package dev.gannet.runtime.tensor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The packed copies of a model's matrices ({@link Packing}) kept in a file, so that the next start maps
 * them (nothing copied, nothing converted) instead of packing again. The pages are then the page cache's:
 * shared by every process that serves the same model on the machine, and given back under memory pressure
 * like the model file's own.
 *
 * <p>Layout: 8 bytes magic, 8 bytes header length, a JSON header (format version, the source file's size
 * and modification time, and per matrix its name, type, shape and the offsets of its quants and scales),
 * then the data, each region 4 KiB aligned. A file whose stamp does not match the source is ignored.
 */
public final class PackedFile {
    private static final byte[] MAGIC = "GNTPACK1".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;
    private static final long ALIGN = 4096;
    private static final ObjectMapper JSON = new ObjectMapper();

    private PackedFile() {}

    /** What the cache must match: the source file's size and modification time. */
    public record Stamp(long size, long modifiedMillis) {
        public static Stamp of(Path source) throws IOException {
            return new Stamp(Files.size(source), Files.getLastModifiedTime(source).toMillis());
        }
    }

    /**
     * Writes packed matrices to {@code file} (through a temporary file and an atomic rename, so a reader
     * never sees half a file). Each matrix must be packed and contiguous. {@code cancelled} is asked between
     * matrices; when it answers true the write stops and leaves nothing behind.
     */
    public static void write(Path file, Stamp stamp, List<WeightMatrix> matrices, BooleanSupplier cancelled) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        header.put("version", VERSION).put("source_size", stamp.size()).put("source_mtime", stamp.modifiedMillis());
        ArrayNode list = header.putArray("matrices");
        long[][] at = new long[matrices.size()][2];
        long offset = 0;  // relative to the data start, fixed below
        for (int i = 0; i < matrices.size(); i++) {
            WeightMatrix w = matrices.get(i);
            if (!w.packed() || !w.contiguous() || w.scaleStride() != 4L * (w.cols() / w.type().blockSize())) {
                throw new IllegalArgumentException(w.name() + ": only contiguous packed matrices can be cached");
            }
            at[i][0] = offset;
            offset = align(offset + w.data().byteSize());
            at[i][1] = offset;
            offset = align(offset + w.scales().byteSize());
            list.addObject().put("name", w.name()).put("type", w.type().name()).put("rows", w.rows()).put("cols", w.cols())
                    .put("quants", at[i][0]).put("scales", at[i][1]);
        }
        header.put("data_bytes", offset);
        byte[] json = JSON.writeValueAsBytes(header);
        long dataStart = align(16 + json.length);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer head = ByteBuffer.allocate(16 + json.length).order(ByteOrder.LITTLE_ENDIAN);
            head.put(MAGIC).putLong(json.length).put(json).flip();
            writeFully(ch, head, 0);
            for (int i = 0; i < matrices.size(); i++) {
                WeightMatrix w = matrices.get(i);
                if (cancelled.getAsBoolean()) throw new IOException("cancelled");
                writeSegment(ch, w.data(), dataStart + at[i][0]);
                writeSegment(ch, w.scales(), dataStart + at[i][1]);
            }
            ch.truncate(dataStart + offset);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Maps {@code file} and returns its matrices by name, valid until {@code arena} closes; null when the
     * file is missing, from another source version, or not a packed file this version wrote.
     */
    public static Map<String, WeightMatrix> map(Path file, Stamp stamp, Arena arena) throws IOException {
        if (!Files.isRegularFile(file) || Files.size(file) < 16) return null;
        JsonNode header;
        long dataStart;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer head = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, head, 0);
            byte[] magic = new byte[8];
            head.flip().get(magic);
            long len = head.getLong();
            if (!java.util.Arrays.equals(magic, MAGIC) || len <= 0 || len > (64 << 20)) return null;
            ByteBuffer json = ByteBuffer.allocate((int) len);
            readFully(ch, json, 16);
            header = JSON.readTree(json.array());
            dataStart = align(16 + len);
        }
        if (header.path("version").asInt() != VERSION || header.path("source_size").asLong() != stamp.size()
                || header.path("source_mtime").asLong() != stamp.modifiedMillis()
                || Files.size(file) != dataStart + header.path("data_bytes").asLong()) {
            return null;
        }
        MemorySegment all = MappedFiles.map(file, arena);
        Map<String, WeightMatrix> out = new HashMap<>();
        for (JsonNode m : header.path("matrices")) {
            GgmlType t = GgmlType.valueOf(m.path("type").asText());
            int rows = m.path("rows").asInt();
            int cols = m.path("cols").asInt();
            long qRow = Packing.quantBytes(t, cols);
            long sRow = 4L * (cols / t.blockSize());
            MemorySegment q = all.asSlice(dataStart + m.path("quants").asLong(), qRow * rows);
            MemorySegment s = all.asSlice(dataStart + m.path("scales").asLong(), sRow * rows);
            out.put(m.path("name").asText(), new WeightMatrix(m.path("name").asText(), t, rows, cols, q, qRow, s, sRow));
        }
        return out;
    }

    private static long align(long n) {
        return (n + ALIGN - 1) / ALIGN * ALIGN;
    }

    private static void writeSegment(FileChannel ch, MemorySegment seg, long position) throws IOException {
        for (long off = 0; off < seg.byteSize(); off += 1L << 30) {
            writeFully(ch, seg.asSlice(off, Math.min(1L << 30, seg.byteSize() - off)).asByteBuffer(), position + off);
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b, long position) throws IOException {
        while (b.hasRemaining()) position += ch.write(b, position);
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long position) throws IOException {
        while (b.hasRemaining()) {
            int n = ch.read(b, position);
            if (n < 0) throw new IOException("unexpected end of file");
            position += n;
        }
    }
}
