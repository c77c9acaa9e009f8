package dev.gannet.cuda;

import static dev.gannet.cuda.CudaException.check;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * cuBLAS, cuBLASLt and single-rank NCCL on a real device (libraries found through GANNET_CUDA_LIBS,
 * e.g. PyTorch's site-packages/nvidia/*\/lib). Each test skips with one line when its library is absent.
 */
@Tag("gpu")
class CublasNcclGpuTest {
    static final CudaLibraryPaths PATHS = CudaLibraryPaths.fromEnvironment(System.getenv());
    static Arena arena;
    static int device;
    static MemorySegment stream;

    @BeforeAll
    static void open() {
        try {
            CudaDriver.load(PATHS);
        } catch (CudaUnavailableException e) {
            Assumptions.assumeTrue(false, "no CUDA device: " + e.getMessage());
        }
        int init = CudaDriver.cuInit(0);
        Assumptions.assumeTrue(init != CudaDriver.CUDA_ERROR_NO_DEVICE, "no CUDA device: cuInit returned CUDA_ERROR_NO_DEVICE");
        check(init, "cuInit");
        arena = Arena.ofShared();
        MemorySegment out = arena.allocate(ADDRESS);
        check(CudaDriver.cuDeviceGet(out, 0), "cuDeviceGet");
        device = out.get(JAVA_INT, 0);
        check(CudaDriver.cuDevicePrimaryCtxRetain(out, device), "cuDevicePrimaryCtxRetain");
        check(CudaDriver.cuCtxSetCurrent(out.get(ADDRESS, 0)), "cuCtxSetCurrent");
        check(CudaDriver.cuStreamCreate(out, CudaDriver.CU_STREAM_NON_BLOCKING), "cuStreamCreate");
        stream = out.get(ADDRESS, 0);
    }

    @AfterAll
    static void close() {
        if (arena == null) return;
        check(CudaDriver.cuStreamDestroy_v2(stream), "cuStreamDestroy_v2");
        check(CudaDriver.cuDevicePrimaryCtxRelease_v2(device), "cuDevicePrimaryCtxRelease_v2");
        arena.close();
    }

    private static long upload(Arena a, float[] v) {
        MemorySegment p = a.allocate(JAVA_LONG);
        check(CudaDriver.cuMemAlloc_v2(p, 4L * v.length), "cuMemAlloc_v2");
        long d = p.get(JAVA_LONG, 0);
        check(CudaDriver.cuMemcpyHtoD_v2(d, a.allocateFrom(JAVA_FLOAT, v), 4L * v.length), "cuMemcpyHtoD_v2");
        return d;
    }

    private static float[] download(Arena a, long d, int n) {
        check(CudaDriver.cuStreamSynchronize(stream), "cuStreamSynchronize");
        MemorySegment h = a.allocate(JAVA_FLOAT, n);
        check(CudaDriver.cuMemcpyDtoH_v2(h, d, 4L * n), "cuMemcpyDtoH_v2");
        return h.toArray(JAVA_FLOAT);
    }

    /** Column-major (m, k) x (k, n) in double. */
    private static float[] matmul(float[] a, float[] b, int m, int n, int k) {
        float[] c = new float[m * n];
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < m; i++) {
                double s = 0;
                for (int l = 0; l < k; l++) s += (double) a[l * m + i] * b[j * k + l];
                c[j * m + i] = (float) s;
            }
        }
        return c;
    }

    private static float[] ramp(int n, float step) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = ((i * 37) % 11 - 5) * step;
        return v;
    }

    @Test
    void gemmExAndStridedBatchedMatchJava() {
        try {
            Cublas.load(PATHS);
        } catch (CudaUnavailableException e) {
            Assumptions.assumeTrue(false, "no cuBLAS: " + e.getMessage());
        }
        int m = 33, n = 7, k = 64;
        try (Arena a = Arena.ofConfined()) {
            float[] av = ramp(m * k, 0.25f), bv = ramp(k * n * 2, 0.5f);
            long da = upload(a, av), db = upload(a, bv), dc = upload(a, new float[m * n * 2]);
            MemorySegment h = a.allocate(ADDRESS);
            CublasException.check(Cublas.cublasCreate_v2(h), "cublasCreate_v2");
            MemorySegment handle = h.get(ADDRESS, 0);
            CublasException.check(Cublas.cublasSetStream_v2(handle, stream), "cublasSetStream_v2");
            MemorySegment one = a.allocateFrom(JAVA_FLOAT, 1f), zero = a.allocateFrom(JAVA_FLOAT, 0f);
            CublasException.check(Cublas.cublasGemmEx(handle, Cublas.CUBLAS_OP_N, Cublas.CUBLAS_OP_N, m, n, k, one, da,
                    Cublas.CUDA_R_32F, m, db, Cublas.CUDA_R_32F, k, zero, dc, Cublas.CUDA_R_32F, m, Cublas.CUBLAS_COMPUTE_32F,
                    Cublas.CUBLAS_GEMM_DEFAULT), "cublasGemmEx");
            assertArrayEquals(matmul(av, bv, m, n, k), download(a, dc, m * n), 1e-3f);
            // batch of 2 sharing A (strideA 0), B and C strided
            CublasException.check(Cublas.cublasGemmStridedBatchedEx(handle, Cublas.CUBLAS_OP_N, Cublas.CUBLAS_OP_N, m, n, k,
                    one, da, Cublas.CUDA_R_32F, m, 0, db, Cublas.CUDA_R_32F, k, (long) k * n, zero, dc, Cublas.CUDA_R_32F, m,
                    (long) m * n, 2, Cublas.CUBLAS_COMPUTE_32F, Cublas.CUBLAS_GEMM_DEFAULT), "cublasGemmStridedBatchedEx");
            float[] second = java.util.Arrays.copyOfRange(bv, k * n, 2 * k * n);
            float[] got = download(a, dc, 2 * m * n);
            assertArrayEquals(matmul(av, second, m, n, k), java.util.Arrays.copyOfRange(got, m * n, 2 * m * n), 1e-3f);
            CublasException.check(Cublas.cublasDestroy_v2(handle), "cublasDestroy_v2");
            for (long d : new long[] {da, db, dc}) check(CudaDriver.cuMemFree_v2(d), "cuMemFree_v2");
        }
    }

    @Test
    void cublasLtMatmulMatchesJava() {
        try {
            Cublas.load(PATHS);
        } catch (CudaUnavailableException e) {
            Assumptions.assumeTrue(false, "no cuBLASLt: " + e.getMessage());
        }
        int m = 16, n = 8, k = 32;
        try (Arena a = Arena.ofConfined()) {
            float[] av = ramp(m * k, 0.125f), bv = ramp(k * n, 0.5f);
            long da = upload(a, av), db = upload(a, bv), dd = upload(a, new float[m * n]);
            MemorySegment p = a.allocate(ADDRESS);
            CublasException.check(Cublas.cublasLtCreate(p), "cublasLtCreate");
            MemorySegment lt = p.get(ADDRESS, 0);
            CublasException.check(Cublas.cublasLtMatmulDescCreate(p, Cublas.CUBLAS_COMPUTE_32F, Cublas.CUDA_R_32F), "cublasLtMatmulDescCreate");
            MemorySegment desc = p.get(ADDRESS, 0);
            MemorySegment op = a.allocateFrom(JAVA_INT, Cublas.CUBLAS_OP_N);
            CublasException.check(Cublas.cublasLtMatmulDescSetAttribute(desc, Cublas.CUBLASLT_MATMUL_DESC_TRANSA, op, 4), "cublasLtMatmulDescSetAttribute");
            MemorySegment[] layouts = new MemorySegment[3];
            long[][] shapes = {{m, k, m}, {k, n, k}, {m, n, m}};
            for (int i = 0; i < 3; i++) {
                CublasException.check(Cublas.cublasLtMatrixLayoutCreate(p, Cublas.CUDA_R_32F, shapes[i][0], shapes[i][1], shapes[i][2]),
                        "cublasLtMatrixLayoutCreate");
                layouts[i] = p.get(ADDRESS, 0);
            }
            MemorySegment one = a.allocateFrom(JAVA_FLOAT, 1f), zero = a.allocateFrom(JAVA_FLOAT, 0f);
            CublasException.check(Cublas.cublasLtMatmul(lt, desc, one, da, layouts[0], db, layouts[1], zero, dd, layouts[2], dd,
                    layouts[2], MemorySegment.NULL, 0, 0, stream), "cublasLtMatmul");
            assertArrayEquals(matmul(av, bv, m, n, k), download(a, dd, m * n), 1e-3f);
            for (MemorySegment l : layouts) CublasException.check(Cublas.cublasLtMatrixLayoutDestroy(l), "cublasLtMatrixLayoutDestroy");
            CublasException.check(Cublas.cublasLtMatmulDescDestroy(desc), "cublasLtMatmulDescDestroy");
            CublasException.check(Cublas.cublasLtDestroy(lt), "cublasLtDestroy");
            for (long d : new long[] {da, db, dd}) check(CudaDriver.cuMemFree_v2(d), "cuMemFree_v2");
        }
    }

    @Test
    void singleRankNcclCollectives() {
        try {
            Nccl.load(PATHS);
        } catch (CudaUnavailableException e) {
            Assumptions.assumeTrue(false, "no NCCL: " + e.getMessage());
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment id = a.allocate(Nccl.NCCL_UNIQUE_ID);
            NcclException.check(Nccl.ncclGetUniqueId(id), "ncclGetUniqueId");
            MemorySegment c = a.allocate(ADDRESS);
            NcclException.check(Nccl.ncclCommInitRank(c, 1, id, 0), "ncclCommInitRank");
            MemorySegment comm = c.get(ADDRESS, 0);
            float[] v = {1f, -2f, 3.5f, 4f};
            long src = upload(a, v), dst = upload(a, new float[4]);
            NcclException.check(Nccl.ncclGroupStart(), "ncclGroupStart");
            NcclException.check(Nccl.ncclAllReduce(src, dst, 4, Nccl.ncclFloat32, Nccl.ncclSum, comm, stream), "ncclAllReduce");
            NcclException.check(Nccl.ncclGroupEnd(), "ncclGroupEnd");
            assertArrayEquals(v, download(a, dst, 4));
            NcclException.check(Nccl.ncclBroadcast(src, dst, 4, Nccl.ncclFloat32, 0, comm, stream), "ncclBroadcast");
            assertArrayEquals(v, download(a, dst, 4));
            NcclException.check(Nccl.ncclAllGather(src, dst, 4, Nccl.ncclFloat32, comm, stream), "ncclAllGather");
            assertArrayEquals(v, download(a, dst, 4));
            assertFalse(Nccl.ncclGetErrorString(0).isBlank());
            assertEquals(128, id.byteSize());
            NcclException.check(Nccl.ncclCommDestroy(comm), "ncclCommDestroy");
            for (long d : new long[] {src, dst}) check(CudaDriver.cuMemFree_v2(d), "cuMemFree_v2");
        }
    }
}
