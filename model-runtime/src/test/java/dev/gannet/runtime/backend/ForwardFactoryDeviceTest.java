package dev.gannet.runtime.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gannet.cuda.CudaLibraryPaths;
import dev.gannet.runtime.TestModels;
import dev.gannet.runtime.cuda.CudaTestEnvironment;
import dev.gannet.runtime.model.CpuCompute;
import dev.gannet.runtime.model.KvStorage;
import dev.gannet.runtime.model.Model;
import dev.gannet.runtime.model.ModelLoader;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** CPU-only: the factory's device handling, without a GPU: the clean error, the KV dtype resolution, the options' checks. */
class ForwardFactoryDeviceTest {
    private static final Device CUDA0 = new Device(Device.Kind.CUDA, 0);

    @Test
    void cudaWithoutADriverIsOneLineNamingTheLibraryAndThePlacesTried() {
        Assumptions.assumeFalse(CudaTestEnvironment.driverLoads(), "a CUDA driver loads here: the no-driver error cannot be shown");
        CudaLibraryPaths paths = new CudaLibraryPaths(List.of(Path.of("/nonexistent/cuda/lib64")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ForwardFactory.checkAvailable(CUDA0, 1, paths));
        String m = e.getMessage();
        assertTrue(m.startsWith("device cuda:0: libcuda.so.1 not found (CUDA driver); looked in: "), m);
        assertTrue(m.contains("/nonexistent/cuda/lib64/libcuda.so.1 (absent)"), m);
        assertTrue(m.endsWith("use --device cpu"), m);
        assertFalse(m.contains("\n"), "one line");
    }

    @Test
    void createChecksTheDeviceBeforeBuildingAnything() throws Exception {
        Assumptions.assumeFalse(CudaTestEnvironment.driverLoads(), "a CUDA driver loads here");
        try (Model m = ModelLoader.load(TestModels.path("stories260K.gguf"))) {
            ComputeOptions o = new ComputeOptions(CUDA0, CpuCompute.VECTOR, 1, 1, 0, KvStorage.Precision.AUTO, 16, 64, 4, 0.9,
                    CudaLibraryPaths.none());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ForwardFactory.create(m, o));
            assertTrue(e.getMessage().contains("libcuda.so.1 not found"), e.getMessage());
        }
    }

    @Test
    void autoKvIsF32OnTheCpuAndGpuFormatsAreRefusedThere() throws Exception {
        try (Model m = ModelLoader.load(TestModels.path("stories260K.gguf"))) {
            long bytes = KvStorage.bytesFor(m.config(), 8, 16, KvStorage.Precision.F32);
            ComputeOptions auto = new ComputeOptions(Device.CPU, CpuCompute.REFERENCE, 1, 1, bytes, KvStorage.Precision.AUTO, 16, 64, 4);
            try (ComputeStack s = ForwardFactory.create(m, auto)) {
                assertEquals(8, s.numBlocks()); // sized in f32
                assertNull(s.deviceMemory());
            }
            for (KvStorage.Precision p : List.of(KvStorage.Precision.F16, KvStorage.Precision.BF16, KvStorage.Precision.FP8)) {
                ComputeOptions o = new ComputeOptions(Device.CPU, CpuCompute.REFERENCE, 1, 1, bytes, p, 16, 64, 4);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ForwardFactory.create(m, o));
                assertTrue(e.getMessage().contains("is a GPU cache format; the CPU cache stores f32 or q8_0"), e.getMessage());
            }
        }
    }

    /** The kernel choice travels in the options to the one factory, whole or under tensor parallelism, and the stack says what computes. */
    @Test
    void theStackSaysWhichCpuKernelsItBuilt() throws Exception {
        try (Model m = ModelLoader.load(TestModels.path("tiny-llama-q8_0.gguf"))) {
            long bytes = KvStorage.bytesFor(m.config(), 8, 16, KvStorage.Precision.F32);
            for (CpuCompute c : CpuCompute.values()) {
                for (int tp : new int[] {1, 2}) {
                    ComputeOptions o = new ComputeOptions(Device.CPU, c, 2, tp, bytes, KvStorage.Precision.AUTO, 16, 64, 4);
                    try (ComputeStack s = ForwardFactory.create(m, o)) {
                        assertEquals(c.describe(), s.matmuls());
                    }
                }
            }
        }
        assertEquals("vector", CpuCompute.VECTOR.describe());
        assertTrue(CpuCompute.NATIVE.describe().startsWith("native ") || CpuCompute.NATIVE.describe().startsWith("vector (native kernels unavailable: "),
                CpuCompute.NATIVE.describe());
    }

    @Test
    void aGpuMayLeaveKvBytesAtZeroButACpuMayNot() {
        new ComputeOptions(CUDA0, CpuCompute.VECTOR, 0, 1, 0, KvStorage.Precision.AUTO, 16, 64, 4, 0.9, CudaLibraryPaths.none());
        assertThrows(IllegalArgumentException.class,
                () -> new ComputeOptions(Device.CPU, CpuCompute.VECTOR, 0, 1, 0, KvStorage.Precision.AUTO, 16, 64, 4));
        assertThrows(IllegalArgumentException.class,
                () -> new ComputeOptions(CUDA0, CpuCompute.VECTOR, 0, 1, 0, KvStorage.Precision.AUTO, 16, 64, 4, 1.5, CudaLibraryPaths.none()));
    }

    @Test
    void kvRowBytesPerDtype() {
        assertEquals(4 * 128, KvStorage.Precision.F32.rowBytes(128));
        assertEquals(2 * 128, KvStorage.Precision.F16.rowBytes(128));
        assertEquals(128 + 16, KvStorage.Precision.Q8_0.rowBytes(128));
        assertEquals(128 + 4, KvStorage.Precision.FP8.rowBytes(128));
        assertThrows(IllegalStateException.class, () -> KvStorage.Precision.AUTO.rowBytes(128));
        assertEquals(KvStorage.Precision.FP8, KvStorage.Precision.parse("FP8"));
    }
}
