package dev.gannet.cuda;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CPU-only checks of the binding plumbing: struct layouts, status mapping, library search reporting. */
class BindingsTest {

    @Test
    void structLayoutsHaveTheCSizes() {
        assertEquals(128, Nccl.NCCL_UNIQUE_ID.byteSize());
        assertEquals(1, Nccl.NCCL_UNIQUE_ID.byteAlignment());
        assertEquals(64, Cublas.CUBLASLT_MATMUL_ALGO.byteSize());
        assertEquals(8, Cublas.CUBLASLT_MATMUL_ALGO.byteAlignment());
    }

    @Test
    void statusesBecomeExceptionsNamingCallAndCode() {
        var e = assertThrows(CudaException.class, () -> CudaException.check(2, "cuMemAlloc_v2"));
        assertEquals("cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (2)", e.getMessage());
        assertEquals(2, e.code());
        assertEquals("cuMemAlloc_v2", e.call());
        assertEquals("cuLaunchKernel failed: CUDA_ERROR_ILLEGAL_ADDRESS (700)", new CudaException("cuLaunchKernel", 700).getMessage());
        assertEquals("CUDA_ERROR_12345", CudaException.codeName(12345));
        assertDoesNotThrow(() -> CudaException.check(0, "cuInit"));

        var b = assertThrows(CublasException.class, () -> CublasException.check(13, "cublasGemmEx"));
        assertEquals("cublasGemmEx failed: CUBLAS_STATUS_EXECUTION_FAILED (13)", b.getMessage());
        assertDoesNotThrow(() -> CublasException.check(0, "cublasGemmEx"));

        var n = assertThrows(NcclException.class, () -> NcclException.check(5, "ncclAllReduce"));
        assertEquals("ncclAllReduce failed: ncclInvalidUsage (5)", n.getMessage());
        assertDoesNotThrow(() -> NcclException.check(0, "ncclAllReduce"));
    }

    @Test
    void pathsComeFromCudaHomeThenGannetCudaLibs() {
        var p = CudaLibraryPaths.fromEnvironment(Map.of("CUDA_HOME", "/opt/cuda", "GANNET_CUDA_LIBS", "/a/lib::/b/lib "));
        assertEquals(List.of(Path.of("/opt/cuda/lib64"), Path.of("/a/lib"), Path.of("/b/lib")), p.searchDirs());
        assertEquals(List.of(), CudaLibraryPaths.fromEnvironment(Map.of()).searchDirs());
    }

    @Test
    void absentLibraryIsReportedWithEveryPlaceSearched(@TempDir Path dir) throws IOException {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        // A directory where a file is expected counts as absent (a bogus file would make HotSpot warn about stack guards).
        Path bogus = Files.createDirectories(dir.resolve("bogus").resolve("libgannet-absent.so.1")).getParent();
        var lib = new NativeLibrary("test library", List.of("libgannet-absent.so.1"));
        var e = assertThrows(CudaUnavailableException.class, () -> lib.load(new CudaLibraryPaths(List.of(empty, bogus))));
        String m = e.getMessage();
        assertTrue(m.startsWith("libgannet-absent.so.1 not found"), m);
        assertTrue(m.contains("libgannet-absent.so.1 (system loader)"), m);
        assertTrue(m.contains(empty.resolve("libgannet-absent.so.1") + " (absent)"), m);
        assertTrue(m.contains(bogus.resolve("libgannet-absent.so.1") + " (absent)"), m);
        assertTrue(!lib.isLoaded());
        var notLoaded = assertThrows(IllegalStateException.class, () -> lib.find("anything"));
        assertTrue(notLoaded.getMessage().contains("call load(CudaLibraryPaths) first"), notLoaded.getMessage());
    }

    @Test
    void missingLibcudaGivesAClearExceptionNotACrash(@TempDir Path dir) {
        CudaUnavailableException e;
        try {
            String from = CudaDriver.load(new CudaLibraryPaths(List.of(dir)));
            Assumptions.assumeTrue(false, "libcuda is installed here (" + from + "): absence not testable");
            return;
        } catch (CudaUnavailableException expected) {
            e = expected;
        }
        assertTrue(e.getMessage().startsWith("libcuda.so.1 not found"), e.getMessage());
        assertTrue(e.getMessage().contains(dir.resolve("libcuda.so.1") + " (absent)"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> CudaDriver.cuInit(0));
    }

    @Test
    void everyBindingIsListedOnceAndDescriptorsNeedNoLibrary() {
        for (List<Downcall> all : List.of(CudaDriver.ALL, Cublas.ALL, Nccl.ALL, Nvrtc.ALL)) {
            assertEquals(all.size(), all.stream().map(Downcall::symbol).distinct().count());
            all.forEach(d -> assertTrue(d.descriptor().returnLayout().isPresent(), d.symbol()));
        }
        assertEquals(1, CudaDriver.ALL.size(), "the driver's other 42 functions are jextract-generated (HeaderConformanceTest)");
    }

    @Test
    void aLibraryOpenedByNameIsFoundInTheProcessMapsForTheLoaderLookup() {
        long strlen = java.lang.foreign.Linker.nativeLinker().defaultLookup().find("strlen").orElseThrow().address();
        String file = NativeLibrary.fileOf(strlen, "libc.so.6");
        assertTrue(file.startsWith("/") && file.contains("libc"), file);
        assertEquals("/opt/x/libcuda.so.1", NativeLibrary.fileOf(strlen, "/opt/x/libcuda.so.1")); // a path is kept as is
        assertThrows(CudaUnavailableException.class, () -> NativeLibrary.fileOf(8, "libnothing.so"));
    }
}
