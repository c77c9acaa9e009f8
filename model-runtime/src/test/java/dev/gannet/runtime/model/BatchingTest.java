package dev.gannet.runtime.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.gannet.runtime.TestModels;
import dev.gannet.runtime.TestStacks;
import dev.gannet.runtime.kernel.Kernels;
import java.util.Arrays;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Batch invariance: a sequence's logits do not depend on what else is in the batch or on chunking. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a hung kernel pool fails, not blocks, the build
class BatchingTest {
    static final int BLOCK = 4;
    static final int[] PROMPT_A = {1, 403, 407, 261, 378, 432, 383};
    static final int[] PROMPT_B = {1, 322, 353, 410, 261, 378, 432, 383, 400, 301, 266};
    static final int[] TABLE_A = {6, 1};
    static final int[] TABLE_B = {0, 7, 2, 5};

    @ParameterizedTest
    @EnumSource(KernelChoice.class)
    void twoSequencesInOneBatchEqualEachAlone(KernelChoice choice) throws Exception {
        try (Model model = ModelLoader.load(TestModels.path("tiny-qwen2-f32.gguf"));
             Kernels kernels = choice.create();
             Attention attention = new VectorAttention(model.config().numHeads(), model.config().numKvHeads(),
                     model.config().headDim(), 64, 4, 2);
             KvStorage kvAlone = KvStorage.forModel(model.config(), 8, BLOCK);
             KvStorage kvBatch = KvStorage.forModel(model.config(), 8, BLOCK)) {
            int vocab = model.config().vocabSize();
            ForwardPass alone = new ForwardPass(model, kernels, attention, kvAlone, 32, 2);
            ForwardPass batched = new ForwardPass(model, kernels, attention, kvBatch, 32, 2);

            float[] a = alone.forward(ForwardBatch.single(PROMPT_A, 0, TABLE_A, BLOCK)).clone();
            float[] b = alone.forward(ForwardBatch.single(PROMPT_B, 0, TABLE_B, BLOCK)).clone();
            float[] ab = batched.forward(prefillBoth());
            assertArrayEquals(Arrays.copyOfRange(a, 0, vocab), Arrays.copyOfRange(ab, 0, vocab), "sequence A prefill");
            assertArrayEquals(Arrays.copyOfRange(b, 0, vocab), Arrays.copyOfRange(ab, vocab, 2 * vocab), "sequence B prefill");

            // one decode step each, reading the cached prefix through the block tables
            float[] a2 = alone.forward(ForwardBatch.single(new int[] {300}, PROMPT_A.length, TABLE_A, BLOCK)).clone();
            float[] b2 = alone.forward(ForwardBatch.single(new int[] {301}, PROMPT_B.length, TABLE_B, BLOCK)).clone();
            float[] ab2 = batched.forward(decodeBoth(300, 301));
            assertArrayEquals(Arrays.copyOfRange(a2, 0, vocab), Arrays.copyOfRange(ab2, 0, vocab), "sequence A decode");
            assertArrayEquals(Arrays.copyOfRange(b2, 0, vocab), Arrays.copyOfRange(ab2, vocab, 2 * vocab), "sequence B decode");
        }
    }

    @ParameterizedTest
    @EnumSource(KernelChoice.class)
    void chunkedPrefillEqualsOneGo(KernelChoice choice) throws Exception {
        int[] prompt = new int[29];
        for (int i = 0; i < prompt.length; i++) prompt[i] = (i * 37 + 11) % 512;
        try (Model model = ModelLoader.load(TestModels.path("tiny-llama-f32.gguf"))) {
            int ctx = model.config().contextLength();
            CpuCompute compute = CpuCompute.valueOf(choice.name());
            float[] whole;
            try (Session s = TestStacks.session(model, compute, ctx, 256)) {
                whole = s.prefill(prompt).clone();
            }
            try (Session s = TestStacks.session(model, compute, ctx, 5)) {
                assertArrayEquals(whole, s.prefill(prompt), "prefill in chunks of 5");
            }
            try (Session s = TestStacks.session(model, compute, ctx, 256)) {
                s.prefill(Arrays.copyOfRange(prompt, 0, 20));
                assertArrayEquals(whole, s.prefill(Arrays.copyOfRange(prompt, 20, prompt.length)), "prefill of 20 then 9 tokens");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(KernelChoice.class)
    void chunkWithoutLogitRowsOnlyFillsTheCache(KernelChoice choice) throws Exception {
        try (Model model = ModelLoader.load(TestModels.path("stories260K.gguf"));
             Kernels kernels = choice.create();
             Attention attention = new VectorAttention(model.config(), 2);
             KvStorage kv = KvStorage.forModel(model.config(), 8, BLOCK)) {
            ForwardPass fp = new ForwardPass(model, kernels, attention, kv, 32, 1);
            int vocab = model.config().vocabSize();
            float[] whole = Arrays.copyOf(fp.forward(ForwardBatch.single(PROMPT_B, 0, TABLE_B, BLOCK)), vocab);
            ForwardBatch first = ForwardBatch.single(Arrays.copyOf(PROMPT_B, 6), 0, TABLE_B, BLOCK);
            fp.forward(new ForwardBatch(first.tokens(), first.positions(), first.cuSeqlens(), first.contextLens(),
                    first.blockTables(), BLOCK, first.slotMapping(), new int[0]));
            float[] rest = fp.forward(ForwardBatch.single(Arrays.copyOfRange(PROMPT_B, 6, PROMPT_B.length), 6, TABLE_B, BLOCK));
            assertArrayEquals(whole, Arrays.copyOf(rest, vocab));
        }
    }

    private static ForwardBatch prefillBoth() {
        int na = PROMPT_A.length;
        int n = na + PROMPT_B.length;
        int[] tokens = new int[n];
        int[] positions = new int[n];
        int[] slots = new int[n];
        System.arraycopy(PROMPT_A, 0, tokens, 0, na);
        System.arraycopy(PROMPT_B, 0, tokens, na, PROMPT_B.length);
        for (int t = 0; t < n; t++) {
            int p = t < na ? t : t - na;
            int[] table = t < na ? TABLE_A : TABLE_B;
            positions[t] = p;
            slots[t] = table[p / BLOCK] * BLOCK + p % BLOCK;
        }
        return new ForwardBatch(tokens, positions, new int[] {0, na, n}, new int[] {na, PROMPT_B.length},
                new int[][] {TABLE_A, TABLE_B}, BLOCK, slots, new int[] {na - 1, n - 1});
    }

    private static ForwardBatch decodeBoth(int tokenA, int tokenB) {
        int pa = PROMPT_A.length;
        int pb = PROMPT_B.length;
        return new ForwardBatch(new int[] {tokenA, tokenB}, new int[] {pa, pb}, new int[] {0, 1, 2}, new int[] {pa + 1, pb + 1},
                new int[][] {TABLE_A, TABLE_B}, BLOCK,
                new int[] {TABLE_A[pa / BLOCK] * BLOCK + pa % BLOCK, TABLE_B[pb / BLOCK] * BLOCK + pb % BLOCK}, new int[] {0, 1});
    }
}
