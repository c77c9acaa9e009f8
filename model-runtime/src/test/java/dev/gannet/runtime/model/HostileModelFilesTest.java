package dev.gannet.runtime.model;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gannet.runtime.FuzzChecks;
import dev.gannet.runtime.gguf.GgufBytes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression tests for what fuzzing model loading found (GgufModelFuzzTest, HuggingFaceModelFuzzTest,
 * ConfigJsonFuzzTest): each hostile file is an IOException naming the file and the field, and no
 * declared size is allocated before it is checked against the tensors in the file.
 */
class HostileModelFilesTest {
    @TempDir Path dir;

    @Test
    void zeroHeadsIsAnErrorNotADivisionByZero() throws IOException {
        assertRefused(llama(0, 1, 0, 0, 0).bytes(), "llama.attention.head_count is 0");
    }

    @Test
    void aOneDimensionalEmbeddingWithoutVocabSizeIsAnErrorNotAnIndexOutOfBounds() throws IOException {
        byte[] b = llama(2, 1, 0, 0, 1, 0).tensor("token_embd.weight", 0, 0, 32).align().zeros(128).bytes();
        assertRefused(b, "tensor token_embd.weight: shape [32] is not (dim, vocab)");
    }

    @Test
    void aHugeKeyLengthIsCheckedAgainstTheTensorsBeforeTheFrequencyTableIsAllocated() throws IOException {
        // key_length 2^30 made ropeInvFreq() allocate 2 GiB before any tensor was looked at
        byte[] b = llama(1, 1, 1 << 30, 0, 0).bytes();
        assertRefused(b, "missing tensor token_embd.weight");
    }

    @Test
    void aBlockCountOfTwoBillionAllocatesNothingForTheLayersBeforeTheyAreRead() throws IOException {
        // new ArrayList<>(numLayers) reserved 2^31 - 1 slots (8 GiB of references) up front
        byte[] b = llama(2, Integer.MAX_VALUE, 0, 0, 3).tensor("token_embd.weight", 0, 0, 32, 8).tensor("output.weight", 0, 1024, 32, 8)
                .tensor("output_norm.weight", 0, 2048, 32).align().zeros(2048 + 128).bytes();
        assertRefused(b, "missing tensor blk.0.attn_norm.weight");
    }

    @Test
    void headsTimesKeyLengthOverflowingAnIntIsAnError() throws IOException {
        assertRefused(llama(1 << 16, 1, 1 << 16, 0, 0).bytes(), "numHeads 65536 x headDim 65536 does not fit an int");
    }

    @Test
    void aNanRopeScaleIsRefused() throws IOException {
        assertRefused(llama(2, 1, 0, 1, 0).keyF32("llama.rope.scale_linear", Float.NaN).bytes(), "rope scaling factor NaN");
    }

    @Test
    void zeroHeadsInConfigJsonIsAnErrorNotADivisionByZero() throws IOException {
        Path f = Files.writeString(dir.resolve("config.json"), "{\"model_type\":\"llama\",\"hidden_size\":32,\"num_attention_heads\":0}");
        IOException e = assertThrows(IOException.class, () -> ConfigParser.fromHuggingFace(f, ConfigParser.readJson(f), false));
        assertTrue(e.getMessage().contains(f + ": num_attention_heads is 0"), e.getMessage());
    }

    @Test
    void aHugeHeadDimInConfigJsonIsCheckedAgainstTheWeightsBeforeAllocating() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("hf"));
        Files.writeString(folder.resolve("config.json"), "{\"model_type\":\"llama\",\"hidden_size\":32,\"intermediate_size\":32,"
                + "\"num_attention_heads\":1,\"num_hidden_layers\":1,\"max_position_embeddings\":64,\"rms_norm_eps\":1e-5,"
                + "\"vocab_size\":8,\"head_dim\":1073741824}");
        Files.write(folder.resolve("model.safetensors"), dev.gannet.runtime.FuzzSeeds.safetensors("{}", new byte[0]));
        IOException e = assertThrows(IOException.class, () -> ModelLoader.load(folder).close());
        assertTrue(e.getMessage().contains("missing tensor model.embed_tokens.weight"), e.getMessage());
        FuzzChecks.check(folder, 400, () -> ModelLoader.load(folder).close());
    }

    /**
     * A Llama GGUF (dim 32) up to its metadata; {@code headDim} 0 leaves attention.key_length out, and the
     * caller appends {@code extraKeys} more keys and then {@code tensors} tensor infos.
     */
    private static GgufBytes llama(int heads, int blocks, int headDim, int extraKeys, int tensors) {
        return llama(heads, blocks, headDim, extraKeys, tensors, 8);
    }

    /** As above; {@code vocab} 0 leaves llama.vocab_size out (the loader then counts the embedding's rows). */
    private static GgufBytes llama(int heads, int blocks, int headDim, int extraKeys, int tensors, int vocab) {
        int keys = 7 + extraKeys + (headDim > 0 ? 1 : 0) + (vocab > 0 ? 1 : 0);
        GgufBytes g = new GgufBytes(tensors, keys).keyString("general.architecture", "llama")
                .keyU32("llama.embedding_length", 32).keyU32("llama.attention.head_count", heads).keyU32("llama.block_count", blocks)
                .keyU32("llama.feed_forward_length", 32).keyU32("llama.context_length", 64)
                .keyF32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
        if (headDim > 0) g.keyU32("llama.attention.key_length", headDim);
        if (vocab > 0) g.keyU32("llama.vocab_size", vocab);
        return g;
    }

    private void assertRefused(byte[] bytes, String expected) throws IOException {
        Path f = Files.write(dir.resolve("hostile.gguf"), bytes);
        IOException e = assertThrows(IOException.class, () -> ModelLoader.load(f, WeightLayout.MAPPED).close());
        assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains(expected), e.getMessage());
        FuzzChecks.check(f, bytes.length, () -> ModelLoader.load(f, WeightLayout.MAPPED).close());
    }

}
