package dev.gannet.runtime.cuda;

import static dev.gannet.cuda.CublasException.check;

import dev.gannet.cuda.Cublas;
import dev.gannet.cuda.CudaLibraryPaths;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Dense projections on cuBLAS: {@code y (numTokens, rows) = x (numTokens, cols) W^T} for a row-major
 * weight W (rows, cols), the layout GGUF and safetensors store. Read column-major, W is W^T with
 * ld = cols and y is y^T with ld = rows, so one GEMM with op(A) = T, op(B) = N does it, f32 accumulate.
 * One handle bound to the context's stream; one owner thread.
 */
public final class CublasLinear implements AutoCloseable {
    private final Arena arena = Arena.ofShared();
    private final MemorySegment handle; // cublasHandle_t
    private final MemorySegment one;    // f32 1, host scalar
    private final MemorySegment zero;   // f32 0, host scalar

    private CublasLinear(MemorySegment handle) {
        this.handle = handle;
        this.one = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 1f);
        this.zero = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 0f);
    }

    /** Loads cuBLAS (search dirs from {@code paths}) and creates a handle on {@code context}'s stream. */
    public static CublasLinear create(CudaContext context, CudaLibraryPaths paths) {
        Cublas.load(paths);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment h = a.allocate(ValueLayout.ADDRESS);
            check(Cublas.cublasCreate_v2(h), "cublasCreate_v2");
            MemorySegment handle = h.get(ValueLayout.ADDRESS, 0);
            check(Cublas.cublasSetStream_v2(handle, context.stream()), "cublasSetStream_v2");
            return new CublasLinear(handle);
        }
    }

    static int cudaType(DeviceDtype t) {
        return switch (t) {
            case F32 -> Cublas.CUDA_R_32F;
            case F16 -> Cublas.CUDA_R_16F;
            case BF16 -> Cublas.CUDA_R_16BF;
        };
    }

    /** y (numTokens, rows) = x (numTokens, cols) times w (rows, cols) transposed; all three in dtype t. */
    public void linear(DeviceDtype t, long y, long w, long x, int numTokens, int rows, int cols) {
        linear(t, t, y, rows, w, x, numTokens, rows, cols);
    }

    /**
     * y (numTokens, rows of a row pitch of {@code ldy} elements) in {@code yt} = x (numTokens, cols) times w (rows,
     * cols) transposed, x and w in {@code t}. {@code ldy > rows} writes a column block of a wider output (a slice of
     * the weight's rows at a time); {@code yt} f32 with 16-bit t gives f32 logits. f32 accumulate.
     */
    public void linear(DeviceDtype t, DeviceDtype yt, long y, int ldy, long w, long x, int numTokens, int rows, int cols) {
        if (numTokens <= 0 || rows <= 0 || cols <= 0 || ldy < rows) {
            throw new IllegalArgumentException("linear: sizes must be positive and ldy >= rows: tokens " + numTokens + ", rows "
                    + rows + ", cols " + cols + ", ldy " + ldy);
        }
        int type = cudaType(t);
        check(Cublas.cublasGemmEx(handle, Cublas.CUBLAS_OP_T, Cublas.CUBLAS_OP_N, rows, numTokens, cols, one, w, type, cols,
                x, type, cols, zero, y, cudaType(yt), ldy, Cublas.CUBLAS_COMPUTE_32F, Cublas.CUBLAS_GEMM_DEFAULT), "cublasGemmEx");
    }

    /** Gives the handle its own device workspace, so that no call allocates (needed while a CUDA graph is captured). */
    public void setWorkspace(long devicePointer, long bytes) {
        check(Cublas.cublasSetWorkspace_v2(handle, devicePointer, bytes), "cublasSetWorkspace_v2");
    }

    @Override
    public void close() {
        try {
            check(Cublas.cublasDestroy_v2(handle), "cublasDestroy_v2");
        } finally {
            arena.close();
        }
    }
}
