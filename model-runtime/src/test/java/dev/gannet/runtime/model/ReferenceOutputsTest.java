package dev.gannet.runtime.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gannet.runtime.TestModels;
import dev.gannet.runtime.TestStacks;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every shared model against its independent float32 reference: feed the prompt, then teacher-force the
 * reference greedy path, and compare the listed top-5 logits at every step.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a hung kernel pool fails, not blocks, the build
class ReferenceOutputsTest {
    static final List<String> MODELS = List.of(
            "stories260K", "tiny-llama-f32", "tiny-llama-f16", "tiny-llama-bf16", "tiny-llama-q8_0", "tiny-llama-q4_0",
            "tiny-llama-q4_k_m", "tiny-llama-hf", "tiny-qwen2-f32", "tiny-qwen2-q8_0", "tiny-qwen2-hf-bf16");

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (CpuCompute k : CpuCompute.values()) {
            for (String m : MODELS) out.add(Arguments.of(m, k));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} with {1} kernels")
    @MethodSource("cases")
    void teacherForcedLogitsMatchTheReference(String name, CpuCompute choice) throws Exception {
        try (Model model = ModelLoader.load(TestModels.path(ReferenceOutputs.read(name).model()));
             Session session = TestStacks.session(model, choice)) {
            checkTeacherForced(ReferenceOutputs.read(name), session);
        }
    }

    /** Prefill in chunks of 3 tokens must pass the same check. */
    @ParameterizedTest
    @ValueSource(strings = {"stories260K", "tiny-llama-hf", "tiny-qwen2-f32"})
    void smallPrefillChunksMatchTheReferenceToo(String name) throws Exception {
        try (Model model = ModelLoader.load(TestModels.path(ReferenceOutputs.read(name).model()));
             Session session = TestStacks.session(model, CpuCompute.REFERENCE,
                     Math.min(model.config().contextLength(), Session.DEFAULT_MAX_CONTEXT), 3)) {
            checkTeacherForced(ReferenceOutputs.read(name), session);
        }
    }

    private static void checkTeacherForced(ReferenceOutputs ref, Session session) {
        String name = ref.name();
        float[] logits = session.prefill(ref.promptIds());
        for (int step = 0; step < ref.positions().length; step++) {
            if (step > 0) logits = session.decode(ref.greedyIds()[step - 1]);
            assertEquals(ref.positions()[step], session.position() - 1, "position of step " + step);
            for (int i = 0; i < ref.topIds()[step].length; i++) {
                int id = ref.topIds()[step][i];
                float want = ref.topLogits()[step][i];
                float got = logits[id];
                assertTrue(Math.abs(got - want) <= ref.tolerance(),
                        name + " step " + step + " token " + id + ": logit " + got + ", reference " + want);
            }
            if (!ref.quantized()) assertEquals(ref.greedyIds()[step], argmax(logits), name + " greedy token at step " + step);
        }
    }

    @Test
    void stories260KGreedyContinuationIsExact() throws Exception {
        ReferenceOutputs ref = ReferenceOutputs.read("stories260K");
        assertArrayEquals(new int[] {1, 403, 407, 261, 378}, ref.promptIds());
        for (CpuCompute choice : CpuCompute.values()) {
            try (Model model = ModelLoader.load(TestModels.path("stories260K.gguf"));
                 Session session = TestStacks.session(model, choice)) {
                int[] got = new int[64];
                float[] logits = session.prefill(ref.promptIds());
                for (int i = 0; i < got.length; i++) {
                    got[i] = argmax(logits);
                    if (i + 1 < got.length) logits = session.decode(got[i]);
                }
                assertArrayEquals(ref.greedyIds(), got, "greedy continuation with " + choice + " kernels");
            }
        }
    }

    static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) best = i;
        }
        return best;
    }
}
