package dev.gannet.runtime.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gannet.runtime.gguf.GgufWriter.ValueType;
import dev.gannet.runtime.tensor.GgmlType;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufWriterTest {
    @TempDir Path dir;

    @Test
    void everyMetadataTypeAndTensorsRoundTripThroughGgufFile() throws Exception {
        GgufWriter w = new GgufWriter()
                .putU8("u8", 200).putI8("i8", -5).putU16("u16", 60000).putI16("i16", -300)
                .putU32("u32", 0xFFFFFFFF).putI32("i32", -7).putU64("u64", 1L << 40).putI64("i64", -(1L << 40))
                .putF32("f32", 1.5f).putF64("f64", Math.PI).putBool("bool", true).putString("str", "héllo ▁")
                .putArray("a.u8", ValueType.UINT8, new byte[] {1, 2, (byte) 255})
                .putArray("a.i16", ValueType.INT16, new short[] {-1, 2})
                .putArray("a.u32", ValueType.UINT32, new int[] {1, 2, 3})
                .putArray("a.i64", ValueType.INT64, new long[] {-1L, 1L << 50})
                .putArray("a.f32", ValueType.FLOAT32, new float[] {0.25f, -2f})
                .putArray("a.f64", ValueType.FLOAT64, new double[] {1e300})
                .putArray("a.bool", ValueType.BOOL, new boolean[] {true, false})
                .putArray("a.str", ValueType.STRING, List.of("a", "", "<0x0A>"))
                .putArray("a.arr", ValueType.ARRAY, List.of(new int[] {4, 5}, List.of("x")))
                .putArray("a.empty", ValueType.STRING, List.of());
        float[] m = new float[3 * 64];
        for (int i = 0; i < m.length; i++) m[i] = i * 0.5f;
        w.addTensor("mat", GgmlType.F32, new long[] {64, 3}, sink -> {
            ByteBuffer b = ByteBuffer.allocate(m.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(m);
            sink.write(b);
        });
        w.addTensor("odd", GgmlType.I8, new long[] {5}, sink -> sink.write(new byte[] {1, 2, 3, 4, 5}, 0, 5));
        w.addTensor("after", GgmlType.F32, new long[] {2}, sink -> sink.write(ByteBuffer.allocate(8)));
        Path p = dir.resolve("t.gguf");
        long size = w.write(p);
        assertEquals(Files.size(p), size);

        try (GgufFile f = GgufFile.open(p)) {
            assertEquals(3, f.version());
            assertEquals((byte) 200, f.metadata().get("u8"));
            assertEquals((byte) -5, f.metadata().get("i8"));
            assertEquals((short) 60000, f.metadata().get("u16"));
            assertEquals((short) -300, f.metadata().get("i16"));
            assertEquals(0xFFFFFFFFL, f.getLong("u32"));
            assertEquals(-7, f.metadata().get("i32"));
            assertEquals(1L << 40, f.getLong("u64"));
            assertEquals(-(1L << 40), f.getLong("i64"));
            assertEquals(1.5f, f.getFloat("f32"));
            assertEquals(Math.PI, f.metadata().get("f64"));
            assertTrue(f.getBoolean("bool", false));
            assertEquals("héllo ▁", f.getString("str"));
            assertArrayEquals(new byte[] {1, 2, (byte) 255}, (byte[]) f.metadata().get("a.u8"));
            assertArrayEquals(new short[] {-1, 2}, (short[]) f.metadata().get("a.i16"));
            assertArrayEquals(new int[] {1, 2, 3}, f.getIntArray("a.u32"));
            assertArrayEquals(new long[] {-1L, 1L << 50}, (long[]) f.metadata().get("a.i64"));
            assertArrayEquals(new float[] {0.25f, -2f}, f.getFloatArray("a.f32"));
            assertArrayEquals(new double[] {1e300}, (double[]) f.metadata().get("a.f64"));
            assertArrayEquals(new boolean[] {true, false}, (boolean[]) f.metadata().get("a.bool"));
            assertEquals(List.of("a", "", "<0x0A>"), f.getStringArray("a.str"));
            List<?> nested = (List<?>) f.metadata().get("a.arr");
            assertArrayEquals(new int[] {4, 5}, (int[]) nested.get(0));
            assertEquals(List.of("x"), nested.get(1));
            assertEquals(List.of(), f.metadata().get("a.empty"));

            assertEquals(0, f.dataOffset() % 32);
            GgufTensorInfo mat = f.tensor("mat");
            assertArrayEquals(new long[] {64, 3}, mat.shape());
            assertArrayEquals(m, mat.data().toArray(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN)));
            assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, f.tensor("odd").data().toArray(ValueLayout.JAVA_BYTE));
            assertEquals(0, f.tensor("after").offset() % 32);
        }
    }

    @Test
    void aTensorThatWritesTheWrongSizeFailsNamingIt() {
        GgufWriter w = new GgufWriter().addTensor("short", GgmlType.F32, new long[] {4}, sink -> sink.write(ByteBuffer.allocate(12)));
        GgufException e = assertThrows(GgufException.class, () -> w.write(dir.resolve("bad.gguf")));
        assertTrue(e.getMessage().contains("short"), e.getMessage());
    }

    @Test
    void badDeclarationsAreRejected() {
        GgufWriter w = new GgufWriter();
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("q", GgmlType.Q8_0, new long[] {16, 2}, s -> { }));
        assertThrows(IllegalArgumentException.class, () -> w.putArray("x", ValueType.INT32, new float[1]));
        assertThrows(IllegalArgumentException.class, () -> new GgufWriter(24));
    }
}
