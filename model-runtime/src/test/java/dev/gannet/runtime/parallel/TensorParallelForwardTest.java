package dev.gannet.runtime.parallel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gannet.runtime.TestModels;
import dev.gannet.runtime.kernel.VectorKernels;
import dev.gannet.runtime.model.CpuCompute;
import dev.gannet.runtime.model.ForwardBatch;
import dev.gannet.runtime.model.ForwardPass;
import dev.gannet.runtime.model.KvStorage;
import dev.gannet.runtime.model.Model;
import dev.gannet.runtime.model.ModelLoader;
import dev.gannet.runtime.model.VectorAttention;
import java.io.IOException;
import java.util.Arrays;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The acceptance: --tp 2 and --tp 4 give tp 1's greedy tokens and logits within 1e-4. */
class TensorParallelForwardTest {
    private static final int[] LLAMA_PROMPT = {1, 403, 407, 261, 378};
    private static final int[] QWEN2_PROMPT = {464, 2068, 7586, 21831, 18045, 625, 262, 16931, 3290, 13};
    private static final int BLOCK = 16;
    private static final int BLOCKS = 8;
    private static final int STEPS = 6;
    private static final float TOLERANCE = 1e-4f;

    /** Greedy tokens and every step's logits of one sequence: the prompt as one chunk, then STEPS decodes. */
    private record Run(int[] tokens, float[][] logits) {}

    private static Run greedy(int[] prompt, int vocab, Function<ForwardBatch, float[]> forward) {
        int[] table = new int[BLOCKS];
        Arrays.setAll(table, i -> i);
        int[] out = new int[STEPS];
        float[][] logits = new float[STEPS][];
        float[] l = forward.apply(ForwardBatch.single(prompt, 0, table, BLOCK));
        for (int s = 0; s < STEPS; s++) {
            logits[s] = Arrays.copyOf(l, vocab);
            out[s] = argmax(logits[s]);
            if (s + 1 < STEPS) l = forward.apply(ForwardBatch.single(new int[] {out[s]}, prompt.length + s, table, BLOCK));
        }
        return new Run(out, logits);
    }

    private static int argmax(float[] a) {
        int best = 0;
        for (int i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
        return best;
    }

    private static Run singleRank(Model m, int[] prompt, CpuCompute compute) {
        try (VectorKernels k = compute == CpuCompute.NATIVE ? VectorKernels.withNativeMatmuls(2) : new VectorKernels(2);
             VectorAttention a = new VectorAttention(m.config(), 2);
             KvStorage kv = KvStorage.forModel(m.config(), BLOCKS, BLOCK);
             ForwardPass f = new ForwardPass(m, k, a, kv, 32, 4)) {
            return greedy(prompt, m.config().vocabSize(), f::forward);
        }
    }

    private static void assertSameAsOneRank(String name, int[] prompt) throws IOException {
        assertSameAsOneRank(name, prompt, CpuCompute.VECTOR, TOLERANCE);
    }

    private static void assertSameAsOneRank(String name, int[] prompt, CpuCompute compute, float tolerance) throws IOException {
        try (Model m = ModelLoader.load(TestModels.path(name))) {
            Run want = singleRank(m, prompt, compute);
            for (int ranks : new int[] {1, 2, 4}) {
                try (TensorParallelForward tp = new TensorParallelForward(m, ShardingPlan.forModel(m, ranks), compute, 2, BLOCKS, BLOCK, 32, 4, KvStorage.Precision.F32)) {
                    Run got = greedy(prompt, m.config().vocabSize(), tp::forward);
                    assertArrayEquals(want.tokens(), got.tokens(), name + " --tp " + ranks + ": greedy tokens");
                    for (int s = 0; s < STEPS; s++) {
                        for (int i = 0; i < want.logits()[s].length; i++) {
                            float d = Math.abs(want.logits()[s][i] - got.logits()[s][i]);
                            if (!(d <= tolerance)) {
                                throw new AssertionError(name + " --tp " + ranks + ", step " + s + ", logit " + i + ": " + got.logits()[s][i]
                                        + " vs " + want.logits()[s][i] + " at tp 1");
                            }
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"stories260K.gguf", "tiny-llama-f32.gguf", "tiny-llama-f16.gguf", "tiny-llama-bf16.gguf",
            "tiny-llama-q8_0.gguf", "tiny-llama-q4_0.gguf", "tiny-llama-q4_k_m.gguf", "tiny-llama-hf"})
    void llamaModelsMatchOneRank(String name) throws IOException {
        assertSameAsOneRank(name, LLAMA_PROMPT);
    }

    /**
     * The native kernels on each rank's shards (row pitch of the whole matrix, columns split at blocks). Their
     * quantized types round activations to 8 bits: a last-bit difference in an all-reduced sum can move a quant by
     * a step, so those logits are held to the shared models' reference tolerance for quantized files (0.25), the
     * float types to the Vector API's.
     */
    @ParameterizedTest
    @ValueSource(strings = {"tiny-llama-f16.gguf", "tiny-llama-q8_0.gguf", "tiny-llama-q4_0.gguf", "tiny-llama-q4_k_m.gguf"})
    void nativeKernelsMatchOneRank(String name) throws IOException {
        assertSameAsOneRank(name, LLAMA_PROMPT, CpuCompute.NATIVE, name.contains("f16") ? TOLERANCE : 0.25f);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-qwen2-f32.gguf", "tiny-qwen2-q8_0.gguf", "tiny-qwen2-hf-bf16"})
    void qwen2ModelsMatchOneRank(String name) throws IOException {
        assertSameAsOneRank(name, QWEN2_PROMPT);
    }

    @Test
    void raggedBatchOfTwoSequencesGivesEveryLogitRow() throws IOException {
        try (Model m = ModelLoader.load(TestModels.path("tiny-qwen2-f32.gguf"))) {
            // Sequence 0: 3 prompt tokens in blocks {0}; sequence 1: 2 tokens in blocks {5}; logits of 3 rows.
            ForwardBatch batch = new ForwardBatch(new int[] {464, 2068, 7586, 13, 262}, new int[] {0, 1, 2, 0, 1}, new int[] {0, 3, 5},
                    new int[] {3, 2}, new int[][] {{0}, {5}}, BLOCK, new int[] {0, 1, 2, 80, 81}, new int[] {2, 4, 0});
            float[] want;
            try (VectorKernels k = new VectorKernels(2);
                 VectorAttention a = new VectorAttention(m.config(), 2);
                 KvStorage kv = KvStorage.forModel(m.config(), BLOCKS, BLOCK);
                 ForwardPass f = new ForwardPass(m, k, a, kv, 32, 4)) {
                want = Arrays.copyOf(f.forward(batch), 3 * m.config().vocabSize());
            }
            try (TensorParallelForward tp = new TensorParallelForward(m, ShardingPlan.forModel(m, 2), CpuCompute.REFERENCE, 2, BLOCKS, BLOCK, 32, 4, KvStorage.Precision.F32)) {
                float[] got = tp.forward(batch);
                for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], TOLERANCE, "logit " + i);
            }
        }
    }

    @Test
    void splitsThatDoNotDivideFailClearly() throws IOException {
        try (Model m = ModelLoader.load(TestModels.path("stories260K.gguf"))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ShardingPlan.forModel(m, 3));
            assertEquals("--tp 3: 8 attention heads are not divisible by 3 ranks", e.getMessage());
        }
    }

    @Test
    void badBatchIsRejectedAndTheNextStepStillRuns() throws IOException {
        try (Model m = ModelLoader.load(TestModels.path("stories260K.gguf"));
             TensorParallelForward tp = new TensorParallelForward(m, ShardingPlan.forModel(m, 2), CpuCompute.VECTOR, 2, BLOCKS, BLOCK, 32, 4, KvStorage.Precision.F32)) {
            int[] table = {0, 1};
            assertThrows(IllegalArgumentException.class, () -> tp.forward(ForwardBatch.single(new int[] {9999}, 0, table, BLOCK)));
            assertEquals(m.config().vocabSize() > 0, tp.forward(ForwardBatch.single(LLAMA_PROMPT, 0, table, BLOCK)).length > 0);
        }
    }
}
