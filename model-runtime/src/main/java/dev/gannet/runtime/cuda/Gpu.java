package dev.gannet.runtime.cuda;

import dev.gannet.cuda.CudaDriver;
import dev.gannet.cuda.CudaLibraryPaths;

/**
 * One rank's handles on its GPU: the context and stream, the loaded kernels and a cuBLAS handle on that stream,
 * opened and closed together. Two ranks on the same GPU each open their own (the primary context is shared by
 * the driver; streams are not).
 */
record Gpu(CudaContext cuda, CudaKernels kernels, CublasLinear cublas, int smCount, long total, long freeAtStart) implements AutoCloseable {
    /** Opens device {@code ordinal} on the calling thread (it becomes that thread's current context). */
    static Gpu open(int ordinal, CudaLibraryPaths paths) {
        return open(CudaContext.open(paths, ordinal), paths);
    }

    /** Another rank on {@code first}'s GPU and stream (see {@link CudaContext#sharing}). */
    static Gpu sharing(Gpu first, CudaLibraryPaths paths) {
        return open(CudaContext.sharing(first.cuda()), paths);
    }

    private static Gpu open(CudaContext cuda, CudaLibraryPaths paths) {
        CudaKernels kernels = null;
        try {
            long[] mem = cuda.memoryInfo();
            kernels = CudaKernels.load(cuda, paths);
            CublasLinear cublas = CublasLinear.create(cuda, paths);
            return new Gpu(cuda, kernels, cublas, cuda.attribute(CudaDriver.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT), mem[1], mem[0]);
        } catch (RuntimeException | Error e) {
            if (kernels != null) kernels.close();
            cuda.close();
            throw e;
        }
    }

    String name() {
        return "cuda:" + cuda.device() + " " + cuda.name();
    }

    @Override
    public void close() {
        try {
            cublas.close();
            kernels.close();
        } finally {
            cuda.close();
        }
    }
}
