package dev.gannet.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gannet.runtime.model.KvStorage;
import dev.gannet.runtime.model.Model;
import dev.gannet.runtime.model.ModelLoader;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Tensor parallelism on one GPU, the checks issue 19 asks for before a multi-GPU machine: a one-rank NCCL group
 * (NcclCommunicator plumbing, all-reduce as identity) equals the plain backend, and two ranks sharing the GPU
 * (SameDeviceGroup's in-process all-reduce) equal {@code --tp 1} token for token, with f32 activations so the
 * comparison is tight (the split changes only the summation order of wo and down).
 */
@Tag("gpu")
class CudaTensorParallelGpuTest {
    static final int BLOCK = 16, STEPS = 24;

    static CudaOptions options(int tp, boolean sameDevice) {
        return new CudaOptions(0, tp, sameDevice, 0.5, KvStorage.Precision.AUTO, BLOCK, 256, 32,
                CudaTuning.defaults().withComputeDtype(DeviceDtype.F32), CudaTestEnvironment.paths());
    }

    @Test
    void oneRankOverNcclEqualsThePlainBackend() throws Exception {
        CudaBackendGpuTest.requireGpu();
        Path p = CudaBackendGpuTest.path(CudaBackendGpuTest.denseModel());
        try (Model m = ModelLoader.load(p)) {
            int[] prompt = CudaBackendGpuTest.prompt(p);
            Stepper.Path plain;
            try (CudaBackend b = CudaBackend.open(m, options(1, false))) {
                plain = Stepper.run(b, prompt, STEPS, BLOCK, null);
            }
            try (CudaTensorParallel tp = CudaTensorParallel.open(m, options(1, false))) {
                Stepper.Path nccl = Stepper.run(tp, prompt, STEPS, BLOCK, null);
                assertArrayEquals(plain.tokens(), nccl.tokens());
                assertEquals(0f, Stepper.maxDiff(plain.logits(), nccl.logits()), "a one-rank all-reduce changes nothing");
            }
        }
    }

    @Test
    void twoRanksOnOneGpuEqualTpOne() throws Exception {
        CudaBackendGpuTest.requireGpu();
        String qwen = System.getProperty("gannet.gpu.model.qwen", "tiny-qwen2-q8_0.gguf"); // empty: not carried
        for (String name : java.util.stream.Stream.of(CudaBackendGpuTest.denseModel(), CudaBackendGpuTest.quantModel(), qwen)
                .filter(n -> !n.isBlank()).toList()) {
            Path p = CudaBackendGpuTest.path(name);
            try (Model m = ModelLoader.load(p)) {
                int[] prompt = CudaBackendGpuTest.prompt(p);
                Stepper.Path one;
                try (CudaBackend b = CudaBackend.open(m, options(1, false))) {
                    one = Stepper.run(b, prompt, STEPS, BLOCK, null);
                }
                try (CudaTensorParallel tp = CudaTensorParallel.open(m, options(2, true))) {
                    assertEquals(2, tp.plan().ranks());
                    Stepper.Path two = Stepper.run(tp, prompt, STEPS, BLOCK, one.tokens());
                    float d = Stepper.maxDiff(one.logits(), two.logits());
                    System.out.println("[gpu-tp] " + name + " --tp 2 on one GPU: max |logit diff| " + d);
                    assertArrayEquals(one.tokens(), two.tokens(), name);
                    assertTrue(d < 1e-3f, name + ": logits differ by " + d);
                }
            }
        }
    }
}
