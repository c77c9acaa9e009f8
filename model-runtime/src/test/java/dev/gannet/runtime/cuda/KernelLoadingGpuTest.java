package dev.gannet.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.gannet.cuda.CudaUnavailableException;
import dev.gannet.cuda.Nvrtc;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Both ways of getting the kernels onto the GPU: the build's fatbin, and NVRTC from the shipped sources. */
@Tag("gpu")
class KernelLoadingGpuTest {

    @Test
    void loadsAndRunsAKernel() {
        try (var g = GpuTestSupport.openOrSkip(); var k = CudaKernels.load(g.cuda, g.paths)) {
            System.out.println("kernels from " + k.source() + " on " + g.cuda.name() + " (sm_" + g.cuda.computeCapability()
                    + ", driver " + g.cuda.driverVersion() + ")");
            argmaxSmoke(g, k);
        }
    }

    @Test
    void nvrtcCompilesTheShippedSourcesForThisGpu() {
        try (var g = GpuTestSupport.openOrSkip()) {
            try {
                Nvrtc.load(g.paths);
            } catch (CudaUnavailableException e) {
                Assumptions.assumeTrue(false, "NVRTC not found, fallback untested: " + e.getMessage());
            }
            byte[] cubin = NvrtcCompiler.compile(g.cuda.computeCapability());
            var module = CudaModule.load(g.cuda, cubin, "NVRTC cubin", Kernel.catalog(), CudaKernels.MAX_DYNAMIC_SHARED_BYTES);
            try (var k = new CudaKernels(module, "NVRTC " + NvrtcCompiler.version())) {
                System.out.println("NVRTC " + NvrtcCompiler.version() + " compiled " + cubin.length + " bytes for sm_" + g.cuda.computeCapability());
                argmaxSmoke(g, k);
            }
        }
    }

    private static void argmaxSmoke(GpuTestSupport g, CudaKernels k) {
        float[] logits = {0f, 3f, 1f, -2f, 5f, 5f};
        long out = g.alloc(8);
        k.argmax(out, g.upload(logits, DeviceDtype.F32), 2, 3);
        assertArrayEquals(new int[] {1, 1}, g.downloadInts(out, 2));
    }
}
