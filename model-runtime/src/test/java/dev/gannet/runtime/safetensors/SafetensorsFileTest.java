package dev.gannet.runtime.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gannet.runtime.TestModels;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {
    @TempDir Path tmp;

    @Test
    void readsTheSharedHuggingFaceCheckpoints() throws IOException {
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(TestModels.path("tiny-llama-hf"))) {
            SafetensorsTensor q = c.tensor("model.layers.0.self_attn.q_proj.weight");
            assertEquals(Dtype.F32, q.dtype());
            assertArrayEquals(new long[] {256, 256}, q.shape());
            assertEquals(256L * 256 * 4, q.data().byteSize());
            assertTrue(q.data().isReadOnly());
            assertEquals(4 * 9 + 3, c.tensors().size());
        }
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(TestModels.path("tiny-qwen2-hf-bf16"))) {
            SafetensorsTensor e = c.tensor("model.embed_tokens.weight");
            assertEquals(Dtype.BF16, e.dtype());
            assertArrayEquals(new long[] {50257, 128}, e.shape());
            assertTrue(c.tensors().containsKey("model.layers.1.self_attn.k_proj.bias"));
        }
    }

    @Test
    void readsValuesAtTheirOffsets() throws IOException {
        Path f = tmp.resolve("x.safetensors");
        write(f, "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F16\",\"shape\":[1,2],\"data_offsets\":[8,12]},\"__metadata__\":{\"format\":\"pt\"}}",
                floats(1.5f, -2f), new byte[] {0x00, 0x3c, 0x00, (byte) 0xc0}); // f16 1.0, -2.0
        try (SafetensorsFile s = SafetensorsFile.open(f)) {
            ValueLayout.OfFloat le = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
            assertEquals(-2f, s.tensor("a").data().getAtIndex(le, 1));
            assertEquals(Dtype.F16, s.tensor("b").dtype());
            assertEquals("pt", s.metadata().get("format"));
            assertEquals(2, s.tensors().size());
        }
    }

    @Test
    void shardedCheckpointFollowsTheIndex() throws IOException {
        write(tmp.resolve("model-00001-of-00002.safetensors"), "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", floats(1f));
        write(tmp.resolve("model-00002-of-00002.safetensors"), "{\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", floats(2f));
        Files.writeString(tmp.resolve(SafetensorsCheckpoint.INDEX),
                "{\"metadata\":{},\"weight_map\":{\"a\":\"model-00001-of-00002.safetensors\",\"b\":\"model-00002-of-00002.safetensors\"}}");
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(tmp)) {
            assertEquals(2, c.tensors().size());
            assertTrue(c.tensor("b").file().endsWith("model-00002-of-00002.safetensors"));
            SafetensorsException e = assertThrows(SafetensorsException.class, () -> c.tensor("c"));
            assertTrue(e.getMessage().contains("missing tensor c"), e.getMessage());
        }
        Files.writeString(tmp.resolve(SafetensorsCheckpoint.INDEX),
                "{\"weight_map\":{\"a\":\"model-00001-of-00002.safetensors\",\"z\":\"model-00002-of-00002.safetensors\"}}");
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> SafetensorsCheckpoint.open(tmp));
        assertTrue(e.getMessage().contains("model-00002-of-00002.safetensors") && e.getMessage().contains("missing tensor z"), e.getMessage());
    }

    @Test
    void truncatedFileNamesFileAndTensor() throws IOException {
        Path src = TestModels.path("tiny-llama-hf/model.safetensors");
        Path f = tmp.resolve("model.safetensors");
        byte[] all = Files.readAllBytes(src);
        Files.write(f, Arrays.copyOf(all, all.length - 100));
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(f));
        assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains("truncated") && e.getMessage().contains("tensor "), e.getMessage());

        Files.write(f, Arrays.copyOf(all, 1000)); // cut inside the header
        e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(f));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void badHeadersGiveClearErrors() throws IOException {
        Path f = tmp.resolve("bad.safetensors");
        Files.write(f, "GGUF this is not safetensors".getBytes(StandardCharsets.UTF_8));
        assertMessage(f, "not a safetensors file");

        write(f, "{\"a\":{\"dtype\":\"Q9\",\"shape\":[1],\"data_offsets\":[0,4]}}", floats(1f));
        assertMessage(f, "tensor a: unknown dtype Q9");

        write(f, "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", floats(1f, 2f));
        assertMessage(f, "tensor a: data_offsets [0,8] hold 8 bytes but shape [3] F32 needs 12");

        write(f, "{\"a\":", floats(1f));
        assertMessage(f, "not valid JSON");
    }

    private static void assertMessage(Path f, String want) {
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(f));
        assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains(want), e.getMessage());
    }

    static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putFloat(f);
        return b.array();
    }

    /** Writes a safetensors file: header length, header JSON, then the data parts back to back. */
    static void write(Path f, String header, byte[]... data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
        out.write(h);
        for (byte[] d : data) out.write(d);
        Files.write(f, out.toByteArray());
    }
}
