package dev.gannet.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** CPU-only: the kernel sources travel on the classpath for the NVRTC fallback, complete. */
class KernelLoadingTest {

    @Test
    void nvrtcSeesEveryKernelSourceThroughTheIncludes() throws IOException {
        Set<String> onDisk;
        try (Stream<Path> s = Files.list(CudaSources.DIR)) {
            onDisk = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cu") || n.endsWith(".cuh"))
                    .filter(n -> !n.equals(NvrtcCompiler.MAIN)).collect(Collectors.toSet());
        }
        var headers = NvrtcCompiler.headers();
        assertEquals(onDisk, headers.keySet());
        headers.forEach((name, text) -> assertFalse(text.isBlank(), name));
        assertTrue(NvrtcCompiler.read(NvrtcCompiler.MAIN).contains("#include \"attention_decode.cu\""));
    }

    @Test
    void onlyImageRejectionsFallBackToNvrtc() {
        assertTrue(CudaKernels.driverRejectsImage(222)); // CUDA_ERROR_UNSUPPORTED_PTX_VERSION
        assertTrue(CudaKernels.driverRejectsImage(209)); // CUDA_ERROR_NO_BINARY_FOR_GPU
        assertFalse(CudaKernels.driverRejectsImage(2));  // out of memory is not the image's fault
    }
}
