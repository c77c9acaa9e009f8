package dev.gannet.runtime.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gannet.runtime.TestModels;
import dev.gannet.runtime.gguf.GgufFile;
import dev.gannet.runtime.gguf.GgufTensorInfo;
import dev.gannet.runtime.kernel.RopeTable;
import dev.gannet.runtime.model.RopeScaling;
import dev.gannet.runtime.tensor.GgmlType;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticModelTest {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @TempDir Path dir;

    private Path synth(String name, GgmlType t, long seed, Path vocab, int threads) throws Exception {
        Path p = dir.resolve(name);
        SyntheticModel.write(new SyntheticModel.Spec(LlamaShape.TINY, t, seed, vocab, threads), p);
        return p;
    }

    @Test
    void tinyShapeHasLlamaCppMetadataAndTensors() throws Exception {
        Path p = synth("tiny.gguf", GgmlType.Q8_0, 1, null, 2);
        try (GgufFile g = GgufFile.open(p)) {
            assertEquals("llama", g.getString("general.architecture"));
            assertEquals(7, g.getInt("general.file_type"));
            assertEquals(32, g.getInt("general.alignment"));
            assertEquals(256, g.getInt("llama.embedding_length"));
            assertEquals(4, g.getInt("llama.block_count"));
            assertEquals(8, g.getInt("llama.attention.head_count"));
            assertEquals(2, g.getInt("llama.attention.head_count_kv"));
            assertEquals(768, g.getInt("llama.feed_forward_length"));
            assertEquals(512, g.getInt("llama.context_length"));
            assertEquals(32, g.getInt("llama.rope.dimension_count"));
            assertEquals(10000f, g.getFloat("llama.rope.freq_base"));
            assertEquals(1e-5f, g.getFloat("llama.attention.layer_norm_rms_epsilon"));
            int vocab = BuiltinVocab.baseSize();
            assertEquals(vocab, g.getInt("llama.vocab_size"));
            List<String> tokens = g.getStringArray("tokenizer.ggml.tokens");
            assertEquals(vocab, tokens.size());
            assertEquals(List.of("<unk>", "<s>", "</s>", "<0x00>"), tokens.subList(0, 4));
            assertEquals("<0xFF>", tokens.get(258));
            assertEquals("\u2581", tokens.get(259));
            assertEquals("llama", g.getString("tokenizer.ggml.model"));
            assertEquals(6, g.getIntArray("tokenizer.ggml.token_type")[3]);
            assertEquals(vocab, g.getFloatArray("tokenizer.ggml.scores").length);
            assertEquals(1, g.getInt("tokenizer.ggml.bos_token_id"));
            assertEquals(2, g.getInt("tokenizer.ggml.eos_token_id"));
            assertEquals(BuiltinVocab.CHAT_TEMPLATE, g.getString("tokenizer.chat_template"));

            assertEquals(2 + 4 * 9 + 1, g.tensors().size());
            assertShape(g, "token_embd.weight", GgmlType.Q8_0, 256, vocab);
            assertShape(g, "output.weight", GgmlType.Q8_0, 256, vocab);
            assertShape(g, "output_norm.weight", GgmlType.F32, 256);
            assertShape(g, "blk.3.attn_q.weight", GgmlType.Q8_0, 256, 256);
            assertShape(g, "blk.3.attn_k.weight", GgmlType.Q8_0, 256, 64);
            assertShape(g, "blk.3.attn_v.weight", GgmlType.Q8_0, 256, 64);
            assertShape(g, "blk.3.attn_output.weight", GgmlType.Q8_0, 256, 256);
            assertShape(g, "blk.3.ffn_gate.weight", GgmlType.Q8_0, 256, 768);
            assertShape(g, "blk.3.ffn_up.weight", GgmlType.Q8_0, 256, 768);
            assertShape(g, "blk.3.ffn_down.weight", GgmlType.Q8_0, 768, 256);
            assertShape(g, "blk.0.attn_norm.weight", GgmlType.F32, 256);
            assertShape(g, "blk.0.ffn_norm.weight", GgmlType.F32, 256);
            for (float v : g.tensor("blk.2.ffn_norm.weight").data().toArray(F32)) assertEquals(1f, v);
        }
        assertFalse(Files.list(dir).anyMatch(f -> f.getFileName().toString().contains(".tmp-")), "temporary file left behind");
    }

    private static void assertShape(GgufFile g, String name, GgmlType type, long... shape) throws Exception {
        GgufTensorInfo t = g.tensor(name);
        assertEquals(type, t.type(), name);
        assertArrayEquals(shape, t.shape(), name);
    }

    @Test
    void sameSeedSameBytesWhateverTheThreadsOtherSeedOtherBytes() throws Exception {
        byte[] a = Files.readAllBytes(synth("a.gguf", GgmlType.Q4_0, 5, null, 1));
        byte[] b = Files.readAllBytes(synth("b.gguf", GgmlType.Q4_0, 5, null, 3));
        byte[] c = Files.readAllBytes(synth("c.gguf", GgmlType.Q4_0, 6, null, 2));
        assertArrayEquals(a, b);
        assertEquals(a.length, c.length);
        assertFalse(java.util.Arrays.equals(a, c));
    }

    @Test
    void weightsAreScaledByFanIn() throws Exception {
        try (GgufFile g = GgufFile.open(synth("f.gguf", GgmlType.F32, 2, null, 2))) {
            float[] down = g.tensor("blk.1.ffn_down.weight").data().toArray(F32); // 256 rows of 768
            double sum = 0, sq = 0;
            for (int i = 768; i < down.length; i++) { sum += down[i]; sq += down[i] * (double) down[i]; } // row 0 is the steering row
            int n = down.length - 768;
            double mean = sum / n, sd = Math.sqrt(sq / n - mean * mean);
            assertEquals(0, mean, 0.002);
            assertEquals(1 / Math.sqrt(768), sd, 0.02 / Math.sqrt(768));
        }
    }

    @Test
    void vocabularyIsCopiedFromAnotherGguf() throws Exception {
        Path vocab = TestModels.path("stories260K.gguf");
        try (GgufFile g = GgufFile.open(synth("v.gguf", GgmlType.F16, 3, vocab, 2)); GgufFile src = GgufFile.open(vocab)) {
            assertEquals(512, g.getInt("llama.vocab_size"));
            assertEquals(src.getStringArray("tokenizer.ggml.tokens"), g.getStringArray("tokenizer.ggml.tokens"));
            assertArrayEquals(src.getFloatArray("tokenizer.ggml.scores"), g.getFloatArray("tokenizer.ggml.scores"));
            assertArrayEquals(src.getIntArray("tokenizer.ggml.token_type"), g.getIntArray("tokenizer.ggml.token_type"));
            assertEquals(1, g.getInt("general.file_type"));
            assertArrayEquals(new long[] {256, 512}, g.tensor("token_embd.weight").shape());
        }
    }

    @Test
    void llama3RopeFactorsAgreeWithTheLoadersScaling() {
        LlamaShape s = LlamaShape.LLAMA_3_2_1B;
        float[] factors = s.llama3RopeFactors();
        float[] inv = RopeTable.invFreq(s.headDim(), s.ropeTheta);
        float[] scaled = new RopeScaling(RopeScaling.Kind.LLAMA3, 32, 1, 4, 8192).apply(inv.clone());
        assertEquals(s.headDim() / 2, factors.length);
        for (int i = 0; i < factors.length; i++) assertEquals(scaled[i], inv[i] / factors[i], 1e-6 * inv[i], "pair " + i);
        assertEquals(1f, factors[0]);
        assertEquals(32f, factors[factors.length - 1]);
    }

    @Test
    void shapesByIdListTheChoicesOnError() {
        assertEquals(LlamaShape.TINYLLAMA_1_1B, LlamaShape.byId("tinyllama-1.1b"));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> LlamaShape.byId("huge"));
        assertTrue(e.getMessage().contains("llama-3-8b"), e.getMessage());
    }
}
