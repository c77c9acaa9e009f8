package dev.gannet.runtime.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gannet.runtime.TestModels;
import dev.gannet.runtime.TestStacks;
import dev.gannet.runtime.kernel.RopeTable;
import dev.gannet.runtime.tensor.GgmlType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ModelLoaderTest {
    @TempDir Path tmp;

    @Test
    void readsStories260KConfigFromGguf() throws IOException {
        try (Model m = ModelLoader.load(TestModels.path("stories260K.gguf"))) {
            ModelConfig c = m.config();
            assertEquals(Architecture.LLAMA, c.architecture());
            assertEquals(64, c.dim());
            assertEquals(5, c.numLayers());
            assertEquals(8, c.numHeads());
            assertEquals(4, c.numKvHeads());
            assertEquals(8, c.headDim());
            assertEquals(172, c.ffnDim());
            assertEquals(512, c.vocabSize());
            assertEquals(128, c.contextLength());
            assertEquals(RopeTable.Style.NORMAL, c.ropeStyle());
            assertFalse(c.tiedEmbeddings());
            assertFalse(c.qkvBias());
            assertNotNull(m.gguf());
            assertEquals(32, m.layer(0).wk().rows());
        }
    }

    /** The packed layout holds the same values and the kernels keep their order: identical logits. */
    @ParameterizedTest
    @ValueSource(strings = {"tiny-llama-q8_0.gguf", "tiny-llama-q4_0.gguf", "tiny-qwen2-q8_0.gguf"})
    void packedAndMappedLayoutsGiveIdenticalLogits(String file) throws IOException {
        try (Model packed = ModelLoader.load(TestModels.path(file), WeightLayout.PACKED);
             Model mapped = ModelLoader.load(TestModels.path(file), WeightLayout.MAPPED);
             Session sp = TestStacks.session(packed, CpuCompute.VECTOR, 64, 256);
             Session sm = TestStacks.session(mapped, CpuCompute.VECTOR, 64, 256)) {
            assertTrue(packed.layer(0).wq().packed());
            assertTrue(packed.output().packed());
            assertFalse(mapped.layer(0).wq().packed());
            int[] prompt = {1, 15, 27, 300, 42, 9};
            assertArrayEquals(sm.prefill(prompt).clone(), sp.prefill(prompt).clone(), file + " prefill");
            for (int t : new int[] {7, 123, 5}) assertArrayEquals(sm.decode(t).clone(), sp.decode(t).clone(), file + " decode " + t);
        }
    }

    @Test
    void packingThatCannotFitInMemoryIsRefusedWithTheWayOut() throws IOException {
        Path p = Path.of("big.gguf");
        ModelLoader.checkPackedFits(p, 1L << 30, 2L << 30); // fits: no error
        IOException e = assertThrows(IOException.class, () -> ModelLoader.checkPackedFits(p, 3L << 30, 2L << 30));
        assertTrue(e.getMessage().contains("needs 3072 MiB") && e.getMessage().contains("2048 MiB of memory is available")
                && e.getMessage().contains("weight_layout: mapped"), e.getMessage());
        assertTrue(ModelLoader.availableMemory() > 0);
    }

    @Test
    void readsQwen2FromBothFormats() throws IOException {
        try (Model g = ModelLoader.load(TestModels.path("tiny-qwen2-q8_0.gguf"));
             Model h = ModelLoader.load(TestModels.path("tiny-qwen2-hf-bf16"))) {
            for (Model m : new Model[] {g, h}) {
                ModelConfig c = m.config();
                assertEquals(Architecture.QWEN2, c.architecture());
                assertEquals(RopeTable.Style.NEOX, c.ropeStyle());
                assertTrue(c.tiedEmbeddings());
                assertTrue(c.qkvBias());
                if (m.output().packed()) { // tied, and the LM head copied into the packed layout
                    assertEquals(m.tokenEmbedding().name(), m.output().name());
                } else {
                    assertSame(m.tokenEmbedding(), m.output());
                }
                assertEquals(64, m.layer(1).bk().length);
                assertEquals(50257, c.vocabSize());
                assertEquals(32, c.headDim());
            }
            assertEquals(GgmlType.Q8_0, g.layer(0).wq().type());
            assertEquals(GgmlType.BF16, h.layer(0).wq().type());
            assertNull(h.gguf());
        }
    }

    @Test
    void huggingFaceLlamaUsesRotateHalfRope() throws IOException {
        try (Model m = ModelLoader.load(TestModels.path("tiny-llama-hf"))) {
            assertEquals(WeightNames.HUGGING_FACE, m.config().format());
            assertEquals(RopeTable.Style.NEOX, m.config().ropeStyle());
            assertEquals("lm_head.weight", m.output().name());
        }
    }

    @Test
    void llama3RopeScalingFromConfigJson() throws IOException {
        ObjectNode c = (ObjectNode) new ObjectMapper().readTree(Files.readString(TestModels.path("tiny-llama-hf/config.json")));
        c.putObject("rope_scaling").put("rope_type", "llama3").put("factor", 32.0).put("low_freq_factor", 1.0)
                .put("high_freq_factor", 4.0).put("original_max_position_embeddings", 8192);
        c.put("rope_theta", 500000.0);
        c.put("head_dim", 128);
        c.put("num_attention_heads", 2);
        ModelConfig cfg = ConfigParser.fromHuggingFace(Path.of("config.json"), c, false);
        assertEquals(RopeScaling.Kind.LLAMA3, cfg.ropeScaling().kind());
        float[] plain = RopeTable.invFreq(128, 500000.0);
        float[] scaled = cfg.ropeInvFreq();
        assertEquals(plain[0], scaled[0], 0f);                      // wavelength 6.3 < 8192/4: unchanged
        assertEquals(plain[63] / 32, scaled[63], plain[63] * 1e-5f); // wavelength > 8192: divided by the factor
        int medium = 0;
        for (int i = 0; i < 64; i++) {
            double wavelen = 2 * Math.PI / plain[i];
            if (wavelen > 2048 && wavelen < 8192) {
                medium++;
                assertTrue(scaled[i] < plain[i] && scaled[i] > plain[i] / 32, "pair " + i + " is interpolated");
            }
        }
        assertTrue(medium > 0);

        c.putObject("rope_scaling").put("rope_type", "yarn").put("factor", 4.0);
        IOException e = assertThrows(IOException.class, () -> ConfigParser.fromHuggingFace(Path.of("config.json"), c, false));
        assertTrue(e.getMessage().contains("rope_scaling type 'yarn' is not supported"), e.getMessage());
    }

    @Test
    void mistralSlidingWindowCapsTheContext() throws IOException {
        ObjectNode c = (ObjectNode) new ObjectMapper().readTree(Files.readString(TestModels.path("tiny-llama-hf/config.json")));
        c.put("model_type", "mistral").put("sliding_window", 128);
        ModelConfig cfg = ConfigParser.fromHuggingFace(Path.of("config.json"), c, false);
        assertEquals(Architecture.MISTRAL, cfg.architecture());
        assertEquals(128, cfg.contextLength());
        c.put("model_type", "gpt2");
        IOException e = assertThrows(IOException.class, () -> ConfigParser.fromHuggingFace(Path.of("config.json"), c, false));
        assertTrue(e.getMessage().contains("unsupported architecture 'gpt2'") && e.getMessage().contains("qwen2"), e.getMessage());
    }

    @Test
    void truncatedGgufNamesFileAndTensor() throws IOException {
        Path f = tmp.resolve("cut.gguf");
        byte[] all = Files.readAllBytes(TestModels.path("stories260K.gguf"));
        Files.write(f, Arrays.copyOf(all, all.length - 1000));
        IOException e = assertThrows(IOException.class, () -> ModelLoader.load(f));
        assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains("truncated") && e.getMessage().contains("tensor blk.4."), e.getMessage());
    }

    @Test
    void wrongMagicIsRejected() throws IOException {
        Path f = tmp.resolve("bad.gguf");
        byte[] all = Files.readAllBytes(TestModels.path("stories260K.gguf"));
        all[0] = 'X';
        Files.write(f, all);
        IOException e = assertThrows(IOException.class, () -> ModelLoader.load(f));
        assertTrue(e.getMessage().contains("wrong magic"), e.getMessage());
    }

    @Test
    void missingGgufTensorIsNamed() throws IOException {
        Path f = tmp.resolve("renamed.gguf");
        Files.write(f, replace(Files.readAllBytes(TestModels.path("stories260K.gguf")), "blk.3.ffn_up.weight", "blk.3.ffn_up.weighX"));
        IOException e = assertThrows(IOException.class, () -> ModelLoader.load(f));
        assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains("missing tensor blk.3.ffn_up.weight"), e.getMessage());
    }

    @Test
    void unsupportedGgufTensorTypeIsNamed() throws IOException {
        byte[] all = Files.readAllBytes(TestModels.path("stories260K.gguf"));
        byte[] name = "blk.1.attn_q.weight".getBytes(StandardCharsets.US_ASCII);
        int at = -1;
        for (int i = 0; i + name.length <= all.length && at < 0; i++) {
            if (Arrays.equals(all, i, i + name.length, name, 0, name.length)) at = i;
        }
        assertTrue(at > 0);
        int typeAt = at + name.length + 4 + 2 * 8; // after the name: u32 dimension count, two u64 dimensions, then u32 type
        assertEquals(0, all[typeAt]);               // F32 in the original
        all[typeAt] = 3;                            // Q4_1: known to GGUF, not computed by Gannet
        Path f = tmp.resolve("q4_1.gguf");
        Files.write(f, all);
        IOException e = assertThrows(IOException.class, () -> ModelLoader.load(f));
        assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains("tensor blk.1.attn_q.weight has type Q4_1, which Gannet does not support"),
                e.getMessage());
    }

    @Test
    void huggingFaceErrorsNameFileTensorAndShapes() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("hf"));
        Path src = TestModels.path("tiny-llama-hf");
        Files.copy(src.resolve("config.json"), dir.resolve("config.json"));
        byte[] st = Files.readAllBytes(src.resolve("model.safetensors"));

        Files.write(dir.resolve("model.safetensors"), replace(st, "model.layers.2.mlp.up_proj.weight", "model.layers.2.mlp.up_proj.weighX"));
        IOException e = assertThrows(IOException.class, () -> ModelLoader.load(dir));
        assertTrue(e.getMessage().startsWith(dir.toString()) && e.getMessage().contains("missing tensor model.layers.2.mlp.up_proj.weight"), e.getMessage());

        Files.write(dir.resolve("model.safetensors"), st);
        Files.writeString(dir.resolve("config.json"), Files.readString(src.resolve("config.json")).replace("\"intermediate_size\": 768", "\"intermediate_size\": 700"));
        e = assertThrows(IOException.class, () -> ModelLoader.load(dir));
        assertTrue(e.getMessage().contains("model.safetensors: tensor model.layers.0.mlp.gate_proj.weight: expected shape [700, 256], got [768, 256]"), e.getMessage());

        Files.copy(src.resolve("config.json"), dir.resolve("config.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.write(dir.resolve("model.safetensors"), replaceOnce(st, "{\"dtype\":\"F32\",\"shape\":[256,256]", "{\"dtype\":\"I32\",\"shape\":[256,256]"));
        e = assertThrows(IOException.class, () -> ModelLoader.load(dir));
        assertTrue(e.getMessage().contains("has type I32, which Gannet does not support"), e.getMessage());
    }

    @Test
    void notAModelIsRejected() {
        IOException e = assertThrows(IOException.class, () -> ModelLoader.load(tmp));
        assertTrue(e.getMessage().contains("no config.json"), e.getMessage());
        e = assertThrows(IOException.class, () -> ModelLoader.load(tmp.resolve("nothing.gguf")));
        assertTrue(e.getMessage().contains("no such file"), e.getMessage());
    }

    /** Replaces every occurrence of a same-length ASCII string in a byte array. */
    static byte[] replace(byte[] data, String from, String to) {
        return replaceImpl(data, from, to, Integer.MAX_VALUE);
    }

    static byte[] replaceOnce(byte[] data, String from, String to) {
        return replaceImpl(data, from, to, 1);
    }

    private static byte[] replaceImpl(byte[] data, String from, String to, int limit) {
        byte[] f = from.getBytes(StandardCharsets.US_ASCII);
        byte[] t = to.getBytes(StandardCharsets.US_ASCII);
        assertEquals(f.length, t.length);
        byte[] out = data.clone();
        int done = 0;
        for (int i = 0; i + f.length <= out.length && done < limit; i++) {
            if (Arrays.equals(out, i, i + f.length, f, 0, f.length)) {
                System.arraycopy(t, 0, out, i, t.length);
                done++;
            }
        }
        assertTrue(done > 0, "no " + from + " found");
        return out;
    }

}
