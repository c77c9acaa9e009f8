package dev.gannet.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gannet.runtime.backend.ComputeOptions;
import dev.gannet.runtime.backend.Device;
import dev.gannet.runtime.engine.FinishInfo;
import dev.gannet.runtime.engine.Request;
import dev.gannet.runtime.engine.RequestEvent;
import dev.gannet.runtime.engine.RequestListener;
import dev.gannet.runtime.model.CpuCompute;
import dev.gannet.runtime.model.KvStorage;
import dev.gannet.runtime.model.Model;
import dev.gannet.runtime.model.ModelLoader;
import dev.gannet.runtime.sampler.SamplingParams;
import dev.gannet.runtime.serving.LlmService;
import dev.gannet.runtime.serving.ServingOptions;
import dev.gannet.runtime.tokenizer.Tokenizer;
import dev.gannet.runtime.tokenizer.Tokenizers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The engine on the GPU: 24 prompts of different lengths, greedy, each alone and then all submitted at once (the
 * scheduler batches them: ragged prefill chunks beside decode steps, CUDA graphs for the decode-only steps, prefix
 * caching), must give the same tokens. Batch-size-dependent GEMM tiling could break this on near-ties; the test
 * reports which prompt and step first differ.
 */
@Tag("gpu")
class CudaServingGpuTest {
    static final class Run implements RequestListener {
        final List<Integer> tokens = new ArrayList<>();
        final CompletableFuture<FinishInfo> done = new CompletableFuture<>();

        @Override
        public void onEvent(RequestEvent e) {
            if (e.hasToken()) tokens.add(e.token());
            if (e.finished()) done.complete(e.finish());
        }

        int[] ids() throws Exception {
            done.get(120, TimeUnit.SECONDS);
            return tokens.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    @Test
    void twentyFourPromptsBatchedEqualEachAlone() throws Exception {
        CudaBackendGpuTest.requireGpu();
        Path p = CudaBackendGpuTest.path(CudaBackendGpuTest.quantModel());
        Model m = ModelLoader.load(p);
        Tokenizer t = Tokenizers.load(p);
        ComputeOptions compute = new ComputeOptions(new Device(Device.Kind.CUDA, 0), CpuCompute.VECTOR, 2, 1, 0,
                KvStorage.Precision.AUTO, 16, 256, 32, 0.5, CudaTestEnvironment.paths());
        try (LlmService s = new LlmService(m, t, new ServingOptions(compute, 32, 0, true), true)) {
            assertNotNull(s.deviceMemory(), "a GPU stack reports its memory");
            assertTrue(s.deviceMemory().kvCache() > 0 && s.deviceMemory().weights() > 0, s.deviceMemory().toString());
            List<int[]> prompts = new ArrayList<>();
            Random rnd = new Random(24);
            for (int i = 0; i < 24; i++) {
                int[] ids = new int[1 + rnd.nextInt(60)];
                for (int j = 0; j < ids.length; j++) ids[j] = 3 + rnd.nextInt(t.vocabSize() - 3);
                prompts.add(ids);
            }
            List<int[]> alone = new ArrayList<>();
            for (int[] prompt : prompts) alone.add(submit(s, prompt).ids());
            List<Run> runs = new ArrayList<>();
            for (int[] prompt : prompts) runs.add(submit(s, prompt));
            for (int i = 0; i < prompts.size(); i++) {
                int[] batched = runs.get(i).ids();
                assertEquals(16, batched.length);
                assertArrayEquals(alone.get(i), batched, "prompt " + i + " (" + prompts.get(i).length + " tokens)");
            }
        } finally {
            m.close();
        }
    }

    private static Run submit(LlmService s, int[] prompt) {
        Run r = new Run();
        s.submit(new Request(prompt, SamplingParams.builder().temperature(0).maxTokens(16).ignoreEos(true).build()), r);
        return r;
    }
}
