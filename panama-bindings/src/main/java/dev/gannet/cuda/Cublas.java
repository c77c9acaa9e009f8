package dev.gannet.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.List;

/**
 * cuBLAS (cublas_api.h, libcublas.so.12/13) and cuBLASLt (cublasLt.h), bound by hand in jextract's
 * layout: C names, raw status returns ({@link CublasException#check}), handles as addresses.
 * cuBLAS is column-major: a row-major (rows, cols) weight W read as column-major is W^T with
 * ld = cols, so {@code y = x W^T} for row-major x (n, k) is {@code gemm(T, N, m=rows, n, k, W, ld=k, x, ld=k, y, ld=rows)}.
 */
public final class Cublas {
    private Cublas() { }

    // libcublas needs libcublasLt: open Lt first so the loader finds it already resident.
    static final NativeLibrary LT = new NativeLibrary("cuBLASLt",
            List.of("libcublasLt.so.13", "libcublasLt.so.12", "libcublasLt.so"));
    static final NativeLibrary LIB = new NativeLibrary("cuBLAS",
            List.of("libcublas.so.13", "libcublas.so.12", "libcublas.so"));

    /** Opens cuBLASLt and cuBLAS once per process; returns where cuBLAS was found. */
    public static String load(CudaLibraryPaths paths) {
        LT.load(paths);
        return LIB.load(paths);
    }

    // cublasOperation_t
    public static final int CUBLAS_OP_N = 0;
    public static final int CUBLAS_OP_T = 1;
    // cudaDataType_t (library_types.h)
    public static final int CUDA_R_32F = 0;
    public static final int CUDA_R_16F = 2;
    public static final int CUDA_R_8I = 3;
    public static final int CUDA_R_32I = 10;
    public static final int CUDA_R_16BF = 14;
    // cublasComputeType_t
    public static final int CUBLAS_COMPUTE_16F = 64;
    public static final int CUBLAS_COMPUTE_32F = 68;
    public static final int CUBLAS_COMPUTE_32F_FAST_16F = 74;
    public static final int CUBLAS_COMPUTE_32F_FAST_16BF = 75;
    public static final int CUBLAS_COMPUTE_32F_FAST_TF32 = 77;
    // cublasGemmAlgo_t
    public static final int CUBLAS_GEMM_DEFAULT = -1;
    public static final int CUBLAS_GEMM_DEFAULT_TENSOR_OP = 99;
    // cublasLtMatmulDescAttributes_t
    public static final int CUBLASLT_MATMUL_DESC_TRANSA = 3;
    public static final int CUBLASLT_MATMUL_DESC_TRANSB = 4;
    public static final int CUBLASLT_MATMUL_DESC_EPILOGUE = 7;
    public static final int CUBLASLT_MATMUL_DESC_BIAS_POINTER = 8;
    // cublasLtEpilogue_t
    public static final int CUBLASLT_EPILOGUE_DEFAULT = 1;
    public static final int CUBLASLT_EPILOGUE_BIAS = 4;

    /** {@code cublasLtMatmulAlgo_t}: {@code uint64_t data[8]}, passed by pointer (NULL = heuristic choice). */
    public static final StructLayout CUBLASLT_MATMUL_ALGO = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(8, JAVA_LONG).withName("data")).withName("cublasLtMatmulAlgo_t");

    private static Downcall fn(String symbol, MemoryLayout... args) {
        return Downcall.of(LIB, symbol, JAVA_INT, args);
    }

    private static Downcall lt(String symbol, MemoryLayout... args) {
        return Downcall.of(LT, symbol, JAVA_INT, args);
    }

    private static final Downcall cublasCreate_v2 = fn("cublasCreate_v2", ADDRESS);
    private static final Downcall cublasDestroy_v2 = fn("cublasDestroy_v2", ADDRESS);
    private static final Downcall cublasSetStream_v2 = fn("cublasSetStream_v2", ADDRESS, ADDRESS);
    private static final Downcall cublasSetWorkspace_v2 = fn("cublasSetWorkspace_v2", ADDRESS, ADDRESS, JAVA_LONG);
    private static final Downcall cublasGemmEx = fn("cublasGemmEx", ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
            JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT,
            JAVA_INT, JAVA_INT, JAVA_INT);
    private static final Downcall cublasGemmStridedBatchedEx = fn("cublasGemmStridedBatchedEx", ADDRESS, JAVA_INT,
            JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS, JAVA_INT,
            JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT);
    private static final Downcall cublasLtCreate = lt("cublasLtCreate", ADDRESS);
    private static final Downcall cublasLtDestroy = lt("cublasLtDestroy", ADDRESS);
    private static final Downcall cublasLtMatmulDescCreate = lt("cublasLtMatmulDescCreate", ADDRESS, JAVA_INT, JAVA_INT);
    private static final Downcall cublasLtMatmulDescSetAttribute = lt("cublasLtMatmulDescSetAttribute", ADDRESS,
            JAVA_INT, ADDRESS, JAVA_LONG);
    private static final Downcall cublasLtMatmulDescDestroy = lt("cublasLtMatmulDescDestroy", ADDRESS);
    private static final Downcall cublasLtMatrixLayoutCreate = lt("cublasLtMatrixLayoutCreate", ADDRESS, JAVA_INT,
            JAVA_LONG, JAVA_LONG, JAVA_LONG);
    private static final Downcall cublasLtMatrixLayoutDestroy = lt("cublasLtMatrixLayoutDestroy", ADDRESS);
    private static final Downcall cublasLtMatmul = lt("cublasLtMatmul", ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS,
            ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS);

    /** Every binding, for the header-conformance test. */
    static final List<Downcall> ALL = List.of(cublasCreate_v2, cublasDestroy_v2, cublasSetStream_v2, cublasSetWorkspace_v2, cublasGemmEx,
            cublasGemmStridedBatchedEx, cublasLtCreate, cublasLtDestroy, cublasLtMatmulDescCreate,
            cublasLtMatmulDescSetAttribute, cublasLtMatmulDescDestroy, cublasLtMatrixLayoutCreate,
            cublasLtMatrixLayoutDestroy, cublasLtMatmul);

    public static int cublasCreate_v2(MemorySegment handle) {
        try { return (int) cublasCreate_v2.handle().invokeExact(handle); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int cublasDestroy_v2(MemorySegment handle) {
        try { return (int) cublasDestroy_v2.handle().invokeExact(handle); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int cublasSetStream_v2(MemorySegment handle, MemorySegment stream) {
        try { return (int) cublasSetStream_v2.handle().invokeExact(handle, stream); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    /**
     * Gives the handle a device workspace of its own, so that no call allocates (required for CUDA-graph capture);
     * {@code workspace} is a CUdeviceptr.
     */
    public static int cublasSetWorkspace_v2(MemorySegment handle, long workspace, long workspaceSizeInBytes) {
        try {
            return (int) cublasSetWorkspace_v2.handle().invokeExact(handle, MemorySegment.ofAddress(workspace), workspaceSizeInBytes);
        } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    /** C = alpha op(A) op(B) + beta C, column-major; alpha/beta point to host scalars of the compute type's scale type. */
    public static int cublasGemmEx(MemorySegment handle, int transa, int transb, int m, int n, int k, MemorySegment alpha,
                                   long a, int aType, int lda, long b, int bType, int ldb, MemorySegment beta,
                                   long c, int cType, int ldc, int computeType, int algo) {
        try {
            return (int) cublasGemmEx.handle().invokeExact(handle, transa, transb, m, n, k, alpha, MemorySegment.ofAddress(a),
                    aType, lda, MemorySegment.ofAddress(b), bType, ldb, beta, MemorySegment.ofAddress(c), cType, ldc,
                    computeType, algo);
        } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int cublasGemmStridedBatchedEx(MemorySegment handle, int transa, int transb, int m, int n, int k,
                                                 MemorySegment alpha, long a, int aType, int lda, long strideA, long b,
                                                 int bType, int ldb, long strideB, MemorySegment beta, long c, int cType,
                                                 int ldc, long strideC, int batchCount, int computeType, int algo) {
        try {
            return (int) cublasGemmStridedBatchedEx.handle().invokeExact(handle, transa, transb, m, n, k, alpha,
                    MemorySegment.ofAddress(a), aType, lda, strideA, MemorySegment.ofAddress(b), bType, ldb, strideB, beta,
                    MemorySegment.ofAddress(c), cType, ldc, strideC, batchCount, computeType, algo);
        } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int cublasLtCreate(MemorySegment lightHandle) {
        try { return (int) cublasLtCreate.handle().invokeExact(lightHandle); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int cublasLtDestroy(MemorySegment lightHandle) {
        try { return (int) cublasLtDestroy.handle().invokeExact(lightHandle); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int cublasLtMatmulDescCreate(MemorySegment matmulDesc, int computeType, int scaleType) {
        try { return (int) cublasLtMatmulDescCreate.handle().invokeExact(matmulDesc, computeType, scaleType); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int cublasLtMatmulDescSetAttribute(MemorySegment matmulDesc, int attr, MemorySegment buf, long sizeInBytes) {
        try { return (int) cublasLtMatmulDescSetAttribute.handle().invokeExact(matmulDesc, attr, buf, sizeInBytes); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int cublasLtMatmulDescDestroy(MemorySegment matmulDesc) {
        try { return (int) cublasLtMatmulDescDestroy.handle().invokeExact(matmulDesc); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int cublasLtMatrixLayoutCreate(MemorySegment matLayout, int type, long rows, long cols, long ld) {
        try { return (int) cublasLtMatrixLayoutCreate.handle().invokeExact(matLayout, type, rows, cols, ld); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int cublasLtMatrixLayoutDestroy(MemorySegment matLayout) {
        try { return (int) cublasLtMatrixLayoutDestroy.handle().invokeExact(matLayout); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    /** D = alpha op(A) op(B) + beta C; {@code algo} may be NULL (cuBLASLt picks one), workspace may be NULL with size 0. */
    public static int cublasLtMatmul(MemorySegment lightHandle, MemorySegment computeDesc, MemorySegment alpha, long a,
                                     MemorySegment aDesc, long b, MemorySegment bDesc, MemorySegment beta, long c,
                                     MemorySegment cDesc, long d, MemorySegment dDesc, MemorySegment algo, long workspace,
                                     long workspaceSizeInBytes, MemorySegment stream) {
        try {
            return (int) cublasLtMatmul.handle().invokeExact(lightHandle, computeDesc, alpha, MemorySegment.ofAddress(a),
                    aDesc, MemorySegment.ofAddress(b), bDesc, beta, MemorySegment.ofAddress(c), cDesc,
                    MemorySegment.ofAddress(d), dDesc, algo, MemorySegment.ofAddress(workspace), workspaceSizeInBytes, stream);
        } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
}
