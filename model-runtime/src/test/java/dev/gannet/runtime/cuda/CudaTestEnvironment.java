package dev.gannet.runtime.cuda;

import dev.gannet.cuda.CudaDriver;
import dev.gannet.cuda.CudaLibraryPaths;
import dev.gannet.cuda.CudaUnavailableException;

/** Test helper: whether a CUDA driver loads on this machine (tests may read the environment; main code may not). */
public final class CudaTestEnvironment {
    private CudaTestEnvironment() { }

    public static CudaLibraryPaths paths() {
        return CudaLibraryPaths.fromEnvironment(System.getenv());
    }

    public static boolean driverLoads() {
        try {
            CudaDriver.load(paths());
            return true;
        } catch (CudaUnavailableException e) {
            return false;
        }
    }
}
