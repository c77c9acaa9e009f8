package dev.gannet.cuda;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Directories searched for the CUDA libraries after the system loader's own search by name.
 * Built once by main (house rule: nothing below main reads the environment) and handed to
 * {@link CudaDriver#load}, {@link Cublas#load} and {@link Nccl#load}.
 *
 * @param searchDirs directories tried in order, after loading by bare name failed
 */
public record CudaLibraryPaths(List<Path> searchDirs) {
    public CudaLibraryPaths {
        searchDirs = List.copyOf(searchDirs);
    }

    /** Only the system loader's search (ld.so cache, LD_LIBRARY_PATH). */
    public static CudaLibraryPaths none() {
        return new CudaLibraryPaths(List.of());
    }

    /**
     * {@code $CUDA_HOME/lib64}, then every entry of {@code GANNET_CUDA_LIBS} (colon-separated; on a
     * machine with PyTorch, cuBLAS and NCCL sit in {@code site-packages/nvidia/{cublas,nccl}/lib}).
     */
    public static CudaLibraryPaths fromEnvironment(Map<String, String> env) {
        List<Path> dirs = new ArrayList<>();
        String cudaHome = env.get("CUDA_HOME");
        if (cudaHome != null && !cudaHome.isBlank()) dirs.add(Path.of(cudaHome.strip(), "lib64"));
        String extra = env.get("GANNET_CUDA_LIBS");
        if (extra != null) {
            for (String d : extra.split(":")) {
                if (!d.isBlank()) dirs.add(Path.of(d.strip()));
            }
        }
        return new CudaLibraryPaths(dirs);
    }
}
