package dev.gannet.runtime.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gannet.runtime.TestModels;
import dev.gannet.runtime.engine.FinishInfo;
import dev.gannet.runtime.engine.FinishReason;
import dev.gannet.runtime.engine.Request;
import dev.gannet.runtime.engine.RequestEvent;
import dev.gannet.runtime.engine.RequestHandle;
import dev.gannet.runtime.engine.RequestListener;
import dev.gannet.runtime.model.KvStorage;
import dev.gannet.runtime.model.Model;
import dev.gannet.runtime.model.ModelLoader;
import dev.gannet.runtime.sampler.SamplingParams;
import dev.gannet.runtime.sampler.TokenLogprobs;
import dev.gannet.runtime.tokenizer.Tokenizer;
import dev.gannet.runtime.tokenizer.Tokenizers;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The engine over the real forward pass: reference output, batch invariance, preemption, stop strings, aborts. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LlmServiceTest {

    /** Collects one generation's events. */
    static final class Run implements RequestListener {
        final List<Integer> tokens = new ArrayList<>();
        final StringBuilder text = new StringBuilder();
        final List<TokenLogprobs.Snapshot> logprobs = new ArrayList<>();
        final CompletableFuture<FinishInfo> done = new CompletableFuture<>();

        @Override
        public void onEvent(RequestEvent e) {
            if (e.hasToken()) tokens.add(e.token());
            text.append(e.text());
            if (e.logprobs() != null) logprobs.add(e.logprobs());
            if (e.finished()) done.complete(e.finish());
        }

        FinishInfo await() throws Exception {
            return done.get(120, TimeUnit.SECONDS);
        }

        int[] ids() {
            return tokens.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    private static LlmService service(String file, ServingOptions o) throws Exception {
        var path = TestModels.path(file);
        Model m = ModelLoader.load(path);
        Tokenizer t = Tokenizers.load(path);
        return new LlmService(m, t, o);
    }

    private static ServingOptions opts(long kvBytes, int maxBatchTokens, int maxRunning) {
        return new ServingOptions(2, kvBytes, 16, maxBatchTokens, maxRunning, 0, true);
    }

    @Test
    void greedyThroughTheEngineMatchesLlamaCpp() throws Exception {
        JsonNode ref = new ObjectMapper().readTree(TestModels.path("reference/stories260K.json").toFile());
        int[] prompt = new ObjectMapper().convertValue(ref.get("prompt_ids"), int[].class);
        int[] greedy = new ObjectMapper().convertValue(ref.get("greedy_ids"), int[].class);
        try (LlmService s = service("stories260K.gguf", ServingOptions.defaults())) {
            Run r = new Run();
            s.submit(new Request(prompt, SamplingParams.builder().temperature(0).maxTokens(greedy.length).ignoreEos(true).build()), r);
            FinishInfo info = r.await();
            assertEquals(FinishReason.LENGTH, info.reason());
            assertArrayEquals(greedy, r.ids());
            assertTrue(r.text.toString().startsWith(", there was a little girl named Lily."), r.text.toString());
            assertEquals(0, settled(s).kvUsedBlocks());
        }
    }

    @Test
    void batchInvariantOnStoriesAndTinyLlama() throws Exception {
        for (String file : new String[] {"stories260K.gguf", "tiny-llama-f32.gguf"}) {
            try (LlmService s = service(file, opts(64L << 20, 256, 32))) {
                List<int[]> prompts = prompts(s.tokenizer(), 24, new Random(7));
                List<int[]> alone = new ArrayList<>();
                for (int[] p : prompts) alone.add(generate(s, List.of(p), 24).getFirst());
                List<int[]> together = generate(s, prompts, 24);
                for (int i = 0; i < prompts.size(); i++) {
                    assertArrayEquals(alone.get(i), together.get(i), file + ": prompt " + i + " differs when batched");
                }
                assertEquals(0, settled(s).kvUsedBlocks());
            }
        }
    }

    /**
     * The 8-bit cache: batch invariance holds (a token's K/V is quantized the same whatever else is in
     * the step), greedy text stays close to the f32 cache's (quantization may flip a near-tie late
     * in a sequence, so the first tokens are compared), the same budget holds about 3.6x the blocks,
     * tp 2 gives tp 1's tokens, and nothing is left in use.
     */
    @Test
    void eightBitKvCacheIsBatchInvariantAndTracksF32() throws Exception {
        ServingOptions f32 = opts(8L << 20, 256, 32);
        ServingOptions q8 = new ServingOptions(2, 8L << 20, 16, 256, 32, 0, true, 1, KvStorage.Precision.Q8_0);
        List<int[]> reference;
        int f32Blocks;
        try (LlmService s = service("tiny-llama-f32.gguf", f32)) {
            reference = generate(s, prompts(s.tokenizer(), 12, new Random(11)), 24);
            f32Blocks = s.stats().kvUsableBlocks();
        }
        try (LlmService s = service("tiny-llama-f32.gguf", q8)) {
            int q8Blocks = s.stats().kvUsableBlocks();
            assertTrue(q8Blocks >= 3.5 * f32Blocks, q8Blocks + " q8_0 blocks against " + f32Blocks + " f32 blocks in the same budget");
            List<int[]> prompts = prompts(s.tokenizer(), 12, new Random(11));
            List<int[]> together = generate(s, prompts, 24);
            int samePrefix = 0;
            for (int i = 0; i < prompts.size(); i++) {
                assertArrayEquals(together.get(i), generate(s, List.of(prompts.get(i)), 24).getFirst(), "q8_0: prompt " + i + " differs alone and batched");
                int n = 0;
                while (n < 24 && together.get(i)[n] == reference.get(i)[n]) n++;
                samePrefix += n;
            }
            assertTrue(samePrefix >= 12 * 8, "q8_0 greedy tokens should follow f32 for a while; matched " + samePrefix + " of " + 12 * 24);
            assertEquals(0, settled(s).kvUsedBlocks());
            reference = together;
        }
        // Tensor parallel: each rank quantizes its own KV heads, in the same 32-value blocks as tp 1.
        ServingOptions q8tp2 = new ServingOptions(2, 8L << 20, 16, 256, 32, 0, true, 2, KvStorage.Precision.Q8_0);
        try (LlmService s = service("tiny-llama-f32.gguf", q8tp2)) {
            List<int[]> prompts = prompts(s.tokenizer(), 12, new Random(11));
            List<int[]> together = generate(s, prompts, 24);
            for (int i = 0; i < prompts.size(); i++) {
                assertArrayEquals(reference.get(i), together.get(i), "q8_0: prompt " + i + " differs at tp 2 from tp 1");
                assertArrayEquals(together.get(i), generate(s, List.of(prompts.get(i)), 24).getFirst(), "q8_0 tp 2: prompt " + i + " differs alone and batched");
            }
            assertEquals(0, settled(s).kvUsedBlocks());
        }
    }

    @Test
    void eightBitKvCacheRefusesWhatItCannotStore() throws Exception {
        ServingOptions q8 = new ServingOptions(2, 8L << 20, 16, 256, 32, 0, true, 1, KvStorage.Precision.Q8_0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> service("stories260K.gguf", q8).close());
        assertTrue(e.getMessage().contains("head dimension divisible by 32; this model's is 8"), e.getMessage());
    }

    @Test
    void tensorParallelServingIsBatchInvariantAndMatchesTp1() throws Exception {
        List<int[]> tp1;
        try (LlmService s = service("stories260K.gguf", opts(64L << 20, 256, 32))) {
            tp1 = generate(s, prompts(s.tokenizer(), 12, new Random(5)), 16);
        }
        for (int tp : new int[] {2, 4}) {
            try (LlmService s = service("stories260K.gguf", new ServingOptions(2, 64L << 20, 16, 256, 32, 0, true, tp))) {
                assertTrue(s.sharding().contains(tp + " ranks"), s.sharding());
                List<int[]> prompts = prompts(s.tokenizer(), 12, new Random(5));
                List<int[]> together = generate(s, prompts, 16);
                for (int i = 0; i < prompts.size(); i++) {
                    assertArrayEquals(tp1.get(i), together.get(i), "tp " + tp + ": prompt " + i + " differs from tp 1");
                    assertArrayEquals(together.get(i), generate(s, List.of(prompts.get(i)), 16).getFirst(),
                            "tp " + tp + ": prompt " + i + " differs alone and batched");
                }
                assertEquals(0, settled(s).kvUsedBlocks());
            }
        }
    }

    /**
     * The start-up warm-up writes K/V into blocks the engine later hands out: requests must still give the
     * tokens a cold service gives (a tiny KV budget makes them reuse the warmed blocks), at tp 1 and tp 2,
     * and the warm-up holds no block afterwards.
     */
    @Test
    void warmUpChangesNoOutputAndHoldsNoBlocks() throws Exception {
        var path = TestModels.path("tiny-llama-f32.gguf");
        for (int tp : new int[] {1, 2}) {
            ServingOptions o = new ServingOptions(2, 1L << 20, 16, 64, 8, 0, true, tp);
            List<int[]> cold, warm;
            try (LlmService s = service("tiny-llama-f32.gguf", o)) {
                cold = generate(s, prompts(s.tokenizer(), 8, new Random(9)), 20);
            }
            try (LlmService s = new LlmService(ModelLoader.load(path), Tokenizers.load(path), o, true)) {
                assertTrue(s.kvBlocks() > 11 && s.kvBlocks() < 200, "the warm-up needs 11 blocks and the requests should reuse them: " + s.kvBlocks());
                assertEquals(0, s.stats().kvUsedBlocks(), "tp " + tp + ": blocks held after the warm-up");
                warm = generate(s, prompts(s.tokenizer(), 8, new Random(9)), 20);
                assertEquals(0, settled(s).kvUsedBlocks());
            }
            for (int i = 0; i < cold.size(); i++) assertArrayEquals(cold.get(i), warm.get(i), "tp " + tp + ": prompt " + i);
        }
    }

    @Test
    void preemptionUnderATinyKvBudgetGivesTheSameTokens() throws Exception {
        List<int[]> big;
        List<int[]> small;
        long preemptions;
        try (LlmService s = service("stories260K.gguf", opts(64L << 20, 128, 16))) {
            big = generate(s, prompts(s.tokenizer(), 12, new Random(3)), 40);
        }
        // stories260K: 5 layers x 2 x 16 tokens x 32 floats x 4 bytes = 20 KiB per block; 14 blocks total
        try (LlmService s = service("stories260K.gguf", opts(14 * 20480L, 128, 16))) {
            small = generate(s, prompts(s.tokenizer(), 12, new Random(3)), 40);
            assertEquals(0, settled(s).kvUsedBlocks());
            preemptions = s.stats().preemptions();
        }
        assertTrue(preemptions > 0, "the small budget should force preemptions");
        for (int i = 0; i < big.size(); i++) assertArrayEquals(big.get(i), small.get(i), "prompt " + i);
    }

    @Test
    void stopStringsEndTheTextBeforeTheStop() throws Exception {
        try (LlmService s = service("stories260K.gguf", ServingOptions.defaults())) {
            int[] prompt = s.tokenizer().encode("Once upon a time", true);
            Run r = new Run();
            s.submit(new Request(prompt, SamplingParams.builder().temperature(0).maxTokens(64).stop(List.of("Lily")).build()), r);
            FinishInfo info = r.await();
            assertEquals(FinishReason.STOP, info.reason());
            assertEquals(-1, info.stopTokenId(), "a stop string, not a token, ended it");
            assertEquals(", there was a little girl named ", r.text.toString());
        }
    }

    @Test
    void logprobsComeWithEachToken() throws Exception {
        try (LlmService s = service("stories260K.gguf", ServingOptions.defaults())) {
            Run r = new Run();
            s.submit(new Request(s.tokenizer().encode("Once upon a time", true), SamplingParams.builder().maxTokens(5).logprobs(3).build()), r);
            r.await();
            assertEquals(5, r.logprobs.size());
            for (int i = 0; i < 5; i++) {
                assertEquals(r.tokens.get(i), r.logprobs.get(i).token());
                assertEquals(3, r.logprobs.get(i).topIds().length);
            }
        }
    }

    @Test
    void manyRequestsWithRandomAbortsLeaveNothingBehind() throws Exception {
        try (LlmService s = service("stories260K.gguf", opts(2L << 20, 128, 16))) {
            Random rnd = new Random(11);
            List<Run> runs = new ArrayList<>();
            List<RequestHandle> handles = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                Run r = new Run();
                int[] p = s.tokenizer().encode("Once upon a time " + "the cat ".repeat(rnd.nextInt(8)), true);
                handles.add(s.submit(new Request(p, SamplingParams.builder().maxTokens(1 + rnd.nextInt(20)).temperature(0.8f)
                        .seed((long) i).build()), r));
                runs.add(r);
                if (rnd.nextInt(4) == 0) handles.get(rnd.nextInt(handles.size())).abort();
            }
            int aborted = 0;
            for (Run r : runs) {
                if (r.await().reason() == FinishReason.ABORT) aborted++;
            }
            assertTrue(aborted > 0);
            var st = settled(s);
            assertEquals(0, st.kvUsedBlocks(), st.toString());
            assertEquals(0, st.running(), st.toString());
            assertFalse(st.waiting() > 0, st.toString());
        }
    }

    /** Stats are published after each step, so wait for the step that finished the last request to publish. */
    static dev.gannet.runtime.engine.EngineStats settled(LlmService s) throws InterruptedException {
        var st = s.stats();
        for (int i = 0; i < 200 && (st.kvUsedBlocks() != 0 || st.running() != 0 || st.waiting() != 0); i++) {
            Thread.sleep(10);
            st = s.stats();
        }
        return st;
    }

    private static List<int[]> prompts(Tokenizer t, int n, Random rnd) {
        String[] words = {"Once", "upon", "a", "time", "the", "little", "dog", "ran", "to", "park", "and", "saw", "a", "ball"};
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StringBuilder sb = new StringBuilder();
            int len = 1 + rnd.nextInt(30);
            for (int w = 0; w < len; w++) sb.append(w == 0 ? "" : " ").append(words[rnd.nextInt(words.length)]);
            out.add(t.encode(sb.toString(), true));
        }
        return out;
    }

    private static List<int[]> generate(LlmService s, List<int[]> prompts, int maxTokens) throws Exception {
        List<Run> runs = new ArrayList<>();
        for (int[] p : prompts) {
            Run r = new Run();
            s.submit(new Request(p, SamplingParams.builder().temperature(0).maxTokens(maxTokens).ignoreEos(true).build()), r);
            runs.add(r);
        }
        List<int[]> out = new ArrayList<>();
        for (Run r : runs) {
            r.await();
            out.add(r.ids());
        }
        return out;
    }
}
