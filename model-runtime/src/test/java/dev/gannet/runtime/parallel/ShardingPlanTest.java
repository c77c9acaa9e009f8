package dev.gannet.runtime.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gannet.runtime.TestModels;
import dev.gannet.runtime.kernel.RopeTable;
import dev.gannet.runtime.model.Architecture;
import dev.gannet.runtime.model.Model;
import dev.gannet.runtime.model.ModelConfig;
import dev.gannet.runtime.model.ModelLoader;
import dev.gannet.runtime.model.RopeScaling;
import dev.gannet.runtime.model.WeightNames;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class ShardingPlanTest {

    private static ModelConfig shape(int dim, int heads, int kvHeads, int ffn, int vocab) {
        return new ModelConfig(Architecture.LLAMA, WeightNames.GGUF, dim, 2, heads, kvHeads, dim / heads, ffn, vocab, 4096,
                1e-5f, RopeTable.Style.NORMAL, dim / heads, 10000, RopeScaling.NONE, false, false);
    }

    /** Every rank's ranges tile [0, total) in order without gaps or overlap. */
    private static void assertTiles(int total, Range[] parts) {
        int next = 0;
        for (Range r : parts) {
            assertEquals(next, r.from());
            next = r.to();
        }
        assertEquals(total, next);
    }

    private static void assertConsistent(ModelConfig c, int ranks) {
        ShardingPlan p = ShardingPlan.of(c, ranks);
        Range[] q = new Range[ranks];
        Range[] ffn = new Range[ranks];
        Range[] vocab = new Range[ranks];
        int group = c.numHeads() / c.numKvHeads();
        for (int r = 0; r < ranks; r++) {
            q[r] = p.qRows(r);
            ffn[r] = p.ffnRows(r);
            vocab[r] = p.vocabRows(r);
            assertEquals(p.headsPerRank() * c.headDim(), q[r].length());
            assertEquals(p.kvHeadsPerRank() * c.headDim(), p.kvRows(r).length());
            // Every query head of the rank uses a KV head the rank holds.
            for (int h = p.qHeads(r).from(); h < p.qHeads(r).to(); h++) {
                int kv = h / group;
                assertTrue(kv >= p.kvHeads(r).from() && kv < p.kvHeads(r).to(), "rank " + r + " head " + h + " needs KV head " + kv);
            }
        }
        assertTiles(c.qDim(), q);
        assertTiles(c.ffnDim(), ffn);
        assertTiles(c.vocabSize(), vocab);
        assertEquals(c.numKvHeads() * p.kvReplicas(), p.kvHeadsPerRank() * ranks, "each KV head held kvReplicas times");
    }

    @Test
    void plansForEverySharedModelAndRealShapes() throws IOException {
        for (String name : new String[] {"stories260K.gguf", "tiny-llama-f32.gguf", "tiny-qwen2-f32.gguf", "tiny-llama-hf", "tiny-qwen2-hf-bf16"}) {
            try (Model m = ModelLoader.load(TestModels.path(name))) {
                for (int ranks : new int[] {1, 2, 4}) assertConsistent(m.config(), ranks);
            }
        }
        assertConsistent(shape(2048, 32, 4, 5632, 32000), 8);   // TinyLlama-1.1B: KV heads replicated twice
        assertConsistent(shape(4096, 32, 8, 14336, 128256), 8); // Llama-3-8B
        assertConsistent(shape(8192, 64, 8, 28672, 128256), 8); // Llama-3-70B
        assertConsistent(shape(896, 14, 2, 4864, 151936), 2);   // Qwen2-0.5B
    }

    @Test
    void splitsStories260KAsExpected() throws IOException {
        try (Model m = ModelLoader.load(TestModels.path("stories260K.gguf"))) {
            ShardingPlan p = ShardingPlan.forModel(m, 2); // 8 heads, 4 KV heads, head dim 8, ffn 172, vocab 512
            assertEquals(4, p.headsPerRank());
            assertEquals(2, p.kvHeadsPerRank());
            assertEquals(1, p.kvReplicas());
            assertEquals(new Range(32, 64), p.qRows(1));
            assertEquals(new Range(16, 32), p.kvRows(1));
            assertEquals(new Range(86, 172), p.ffnRows(1));
            assertEquals(new Range(256, 512), p.vocabRows(1));
        }
    }

    @Test
    void replicatesKvHeadsWhenRanksOutnumberThem() {
        ShardingPlan p = ShardingPlan.of(shape(256, 8, 2, 768, 512), 4); // tiny-llama at tp 4: 2 query heads per rank
        assertEquals(1, p.kvHeadsPerRank());
        assertEquals(2, p.kvReplicas());
        assertEquals(new Range(0, 1), p.kvHeads(0));
        assertEquals(new Range(0, 1), p.kvHeads(1));
        assertEquals(new Range(1, 2), p.kvHeads(2));
        assertEquals(new Range(1, 2), p.kvHeads(3));
        assertEquals(new Range(32, 64), p.kvRows(3));
    }

    @Test
    void unevenVocabularyLeavesTheLastRankShort() {
        ShardingPlan p = ShardingPlan.of(shape(128, 4, 2, 384, 50257), 2); // tiny-qwen2's GPT-2 vocabulary
        assertEquals(25129, p.vocabPerRank());
        assertEquals(new Range(0, 25129), p.vocabRows(0));
        assertEquals(new Range(25129, 50257), p.vocabRows(1));
    }

    private static String error(ModelConfig c, int ranks) {
        return assertThrows(IllegalArgumentException.class, () -> ShardingPlan.of(c, ranks)).getMessage();
    }

    @Test
    void invalidSplitsAreClearStartUpErrors() {
        ModelConfig c = shape(256, 8, 2, 768, 512);
        assertEquals("--tp 3: 8 attention heads are not divisible by 3 ranks", error(c, 3));
        assertEquals("--tp 0: the rank count must be at least 1", error(c, 0));
        assertEquals("--tp -2: the rank count must be at least 1", error(c, -2));
        assertEquals("--tp 4: FFN width 766 is not divisible by 4 ranks", error(shape(256, 8, 2, 766, 512), 4));
        assertEquals("--tp 4: 6 KV heads neither divide into 4 ranks nor can be replicated evenly over them (4 is not a multiple of 6)",
                error(shape(384, 12, 6, 768, 512), 4));
        assertEquals("--tp 4: a vocabulary of 5 tokens leaves rank 3 no rows of the LM head", error(shape(256, 8, 2, 768, 5), 4));
        assertEquals("--tp 8: FFN width 172 is not divisible by 8 ranks", error(shape(64, 8, 4, 172, 512), 8)); // stories260K
    }

    @Test
    void rowParallelWeightsWhoseQuantBlocksSpanRanksStayWhole() throws IOException {
        try (Model m = ModelLoader.load(TestModels.path("tiny-llama-q4_k_m.gguf"))) {
            ShardingPlan plan = ShardingPlan.forModel(m, 2);
            // attn_output is one Q4_K block (256 values) wide: 128 columns per rank would cut the block
            assertEquals(256, plan.shard(m.layer(0), 1).wo().cols());
            assertTrue(plan.wholeRowParallelWeights(m) > 0);
            assertEquals(128, plan.shard(m.layer(0), 1).wq().rows());
        }
        try (Model m = ModelLoader.load(TestModels.path("tiny-llama-q8_0.gguf"))) {
            ShardingPlan plan = ShardingPlan.forModel(m, 4); // 64 and 192 columns per rank: 2 and 6 blocks of 32
            assertEquals(0, plan.wholeRowParallelWeights(m));
            assertEquals(64, plan.shard(m.layer(0), 3).wo().cols());
        }
    }


    @Test
    void rangesOutsideThePlanAreRejected() {
        ShardingPlan p = ShardingPlan.of(shape(256, 8, 2, 768, 512), 2);
        assertThrows(IllegalArgumentException.class, () -> p.qRows(2));
        assertThrows(IllegalArgumentException.class, () -> p.ffnRows(-1));
        assertTrue(p.describe().contains("2 ranks"), p.describe());
    }
}
