package dev.gannet.runtime.tokenizer;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gannet.runtime.gguf.GgufException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad tokenizer metadata fails with the file and the field named. */
class GgufErrorsTest {
    @Test
    void unsupportedTokenizerModelIsNamed(@TempDir Path dir) throws IOException {
        Path f = writeGguf(dir.resolve("bert.gguf"), Map.of("tokenizer.ggml.model", "bert"), List.of("a", "b"));
        GgufException e = assertThrows(GgufException.class, () -> Tokenizers.load(f));
        assertTrue(e.getMessage().contains("'bert'") && e.getMessage().contains("gpt2") && e.getMessage().contains("bert.gguf"),
                e.getMessage());
    }

    @Test
    void unknownPreTokenizerIsNamedWithTheSupportedOnes(@TempDir Path dir) throws IOException {
        Path f = writeGguf(dir.resolve("odd.gguf"), Map.of("tokenizer.ggml.model", "gpt2", "tokenizer.ggml.pre", "odd-pre"),
                List.of("a", "b"));
        GgufException e = assertThrows(GgufException.class, () -> Tokenizers.load(f));
        assertTrue(e.getMessage().contains("odd-pre") && e.getMessage().contains("qwen2"), e.getMessage());
    }

    @Test
    void missingMergesAreNamed(@TempDir Path dir) throws IOException {
        Path f = writeGguf(dir.resolve("nomerges.gguf"), Map.of("tokenizer.ggml.model", "gpt2", "tokenizer.ggml.pre", "gpt-2"),
                List.of("a", "b"));
        GgufException e = assertThrows(GgufException.class, () -> Tokenizers.load(f));
        assertTrue(e.getMessage().contains("tokenizer.ggml.merges"), e.getMessage());
    }

    /** A GGUF v3 file with no tensors: the given string keys plus tokenizer.ggml.tokens. */
    static Path writeGguf(Path path, Map<String, String> strings, List<String> tokens) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer head = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        head.putInt(0x46554747).putInt(3).putLong(0).putLong(strings.size() + 1);
        out.writeBytes(head.array());
        for (Map.Entry<String, String> e : strings.entrySet()) {
            string(out, e.getKey());
            u32(out, 8);
            string(out, e.getValue());
        }
        string(out, "tokenizer.ggml.tokens");
        u32(out, 9);
        u32(out, 8);
        u64(out, tokens.size());
        for (String t : tokens) string(out, t);
        Files.write(path, out.toByteArray());
        return path;
    }

    private static void string(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        u64(out, b.length);
        out.writeBytes(b);
    }

    private static void u32(ByteArrayOutputStream out, int v) {
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
    }

    private static void u64(ByteArrayOutputStream out, long v) {
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
    }
}
