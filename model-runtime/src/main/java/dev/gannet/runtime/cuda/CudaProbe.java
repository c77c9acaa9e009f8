package dev.gannet.runtime.cuda;

import static dev.gannet.cuda.CudaException.check;

import dev.gannet.cuda.Cublas;
import dev.gannet.cuda.CudaDriver;
import dev.gannet.cuda.CudaLibraryPaths;
import dev.gannet.cuda.CudaUnavailableException;
import dev.gannet.cuda.Nccl;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Checks, before a model is loaded and without creating a context, that {@code --device cuda:N --tp T} can run
 * here: the driver loads and initialises, GPUs N..N+T-1 exist with compute capability 8.0 or newer (the fatbin
 * holds sm_80 and sm_90a code; bf16 and the kernels' shuffles need Ampere), cuBLAS loads, and NCCL when T > 1.
 * Each failure is one {@link CudaUnavailableException} line naming what is missing and, for a library, the places
 * tried.
 */
public final class CudaProbe {
    /** The oldest GPU generation the kernels are built for (Ampere). */
    public static final int MIN_COMPUTE_CAPABILITY = 80;

    private CudaProbe() { }

    /** @return one line describing the GPUs found, e.g. "cuda:0 NVIDIA H100 80GB HBM3 (sm_90, 79.6 GiB)" */
    public static String probe(int ordinal, int tp, CudaLibraryPaths paths) {
        CudaDriver.load(paths);
        try (Arena a = Arena.ofConfined()) {
            int init = CudaDriver.cuInit(0);
            if (init == CudaDriver.CUDA_ERROR_NO_DEVICE) throw new CudaUnavailableException("the CUDA driver loaded but sees no GPU (CUDA_ERROR_NO_DEVICE)");
            check(init, "cuInit");
            MemorySegment out = a.allocate(8, 8);
            check(CudaDriver.cuDeviceGetCount(out), "cuDeviceGetCount");
            int count = out.get(ValueLayout.JAVA_INT, 0);
            if (ordinal + tp > count) {
                throw new CudaUnavailableException(tp == 1 ? "GPU " + ordinal + " requested, " + count + " present"
                        : "--tp " + tp + " from GPU " + ordinal + " needs GPUs " + ordinal + ".." + (ordinal + tp - 1) + ", " + count + " present");
            }
            StringBuilder found = new StringBuilder();
            MemorySegment name = a.allocate(256);
            for (int d = ordinal; d < ordinal + tp; d++) {
                check(CudaDriver.cuDeviceGet(out, d), "cuDeviceGet");
                int dev = out.get(ValueLayout.JAVA_INT, 0);
                check(CudaDriver.cuDeviceGetName(name, 256, dev), "cuDeviceGetName");
                int cc = attribute(out, CudaDriver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev) * 10
                        + attribute(out, CudaDriver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev);
                if (cc < MIN_COMPUTE_CAPABILITY) {
                    throw new CudaUnavailableException("GPU " + d + " (" + name.getString(0) + ") is sm_" + cc + "; Gannet's kernels need sm_"
                            + MIN_COMPUTE_CAPABILITY + " (Ampere) or newer");
                }
                check(CudaDriver.cuDeviceTotalMem_v2(out, dev), "cuDeviceTotalMem_v2");
                if (found.length() > 0) found.append(", ");
                found.append(String.format("cuda:%d %s (sm_%d, %.1f GiB)", d, name.getString(0), cc, out.get(ValueLayout.JAVA_LONG, 0) / (double) (1L << 30)));
            }
            Cublas.load(paths);
            if (tp > 1) Nccl.load(paths);
            return found.toString();
        }
    }

    private static int attribute(MemorySegment out, int attribute, int dev) {
        check(CudaDriver.cuDeviceGetAttribute(out, attribute, dev), "cuDeviceGetAttribute");
        return out.get(ValueLayout.JAVA_INT, 0);
    }
}
