package dev.gannet.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * The CUDA driver API (cuda.h, libcuda.so.1), bound by hand in jextract's layout: one static method
 * per C function with the C name (the versioned {@code _v2} symbol where cuda.h #defines one),
 * returning the raw CUresult; {@link CudaException#check} turns a status into an exception.
 * Handles (CUcontext, CUstream, CUevent, CUmodule, CUfunction, CUgraph, CUgraphExec) are
 * {@link MemorySegment} addresses; CUdeviceptr is a {@code long}; out-parameters are segments the
 * caller allocates. Method handles are created on first call, after {@link #load}.
 */
public final class CudaDriver {
    private CudaDriver() { }

    static final NativeLibrary LIB = new NativeLibrary("CUDA driver", List.of("libcuda.so.1", "libcuda.so"));

    /** Opens libcuda once per process; returns where it was found. Throws {@link CudaUnavailableException}. */
    public static String load(CudaLibraryPaths paths) {
        return LIB.load(paths);
    }

    public static boolean isLoaded() {
        return LIB.isLoaded();
    }

    // --- enum constants used by Gannet (values from cuda.h, CUDA 13.0) ---
    public static final int CUDA_SUCCESS = 0;
    public static final int CUDA_ERROR_OUT_OF_MEMORY = 2;
    public static final int CUDA_ERROR_NO_DEVICE = 100;
    public static final int CU_DEVICE_ATTRIBUTE_WARP_SIZE = 10;
    public static final int CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = 16;
    public static final int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
    public static final int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;
    public static final int CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN = 97;
    public static final int CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8;
    public static final int CU_STREAM_DEFAULT = 0;
    public static final int CU_STREAM_NON_BLOCKING = 1;
    public static final int CU_EVENT_DEFAULT = 0;
    public static final int CU_EVENT_DISABLE_TIMING = 2;
    public static final int CU_MEMHOSTALLOC_PORTABLE = 1;
    public static final int CU_STREAM_CAPTURE_MODE_GLOBAL = 0;
    public static final int CU_STREAM_CAPTURE_MODE_THREAD_LOCAL = 1;
    public static final int CU_STREAM_CAPTURE_MODE_RELAXED = 2;

    private static Downcall fn(String symbol, java.lang.foreign.MemoryLayout... args) {
        return Downcall.of(LIB, symbol, JAVA_INT, args);
    }

    private static final Downcall cuGetErrorName = fn("cuGetErrorName", JAVA_INT, ADDRESS);
    private static final Downcall cuInit = fn("cuInit", JAVA_INT);
    private static final Downcall cuDriverGetVersion = fn("cuDriverGetVersion", ADDRESS);
    private static final Downcall cuDeviceGet = fn("cuDeviceGet", ADDRESS, JAVA_INT);
    private static final Downcall cuDeviceGetCount = fn("cuDeviceGetCount", ADDRESS);
    private static final Downcall cuDeviceGetName = fn("cuDeviceGetName", ADDRESS, JAVA_INT, JAVA_INT);
    private static final Downcall cuDeviceGetAttribute = fn("cuDeviceGetAttribute", ADDRESS, JAVA_INT, JAVA_INT);
    private static final Downcall cuDeviceTotalMem_v2 = fn("cuDeviceTotalMem_v2", ADDRESS, JAVA_INT);
    private static final Downcall cuDevicePrimaryCtxRetain = fn("cuDevicePrimaryCtxRetain", ADDRESS, JAVA_INT);
    private static final Downcall cuDevicePrimaryCtxRelease_v2 = fn("cuDevicePrimaryCtxRelease_v2", JAVA_INT);
    private static final Downcall cuCtxSetCurrent = fn("cuCtxSetCurrent", ADDRESS);
    private static final Downcall cuCtxSynchronize = fn("cuCtxSynchronize");
    private static final Downcall cuStreamCreate = fn("cuStreamCreate", ADDRESS, JAVA_INT);
    private static final Downcall cuStreamDestroy_v2 = fn("cuStreamDestroy_v2", ADDRESS);
    private static final Downcall cuStreamSynchronize = fn("cuStreamSynchronize", ADDRESS);
    private static final Downcall cuEventCreate = fn("cuEventCreate", ADDRESS, JAVA_INT);
    private static final Downcall cuEventRecord = fn("cuEventRecord", ADDRESS, ADDRESS);
    private static final Downcall cuEventSynchronize = fn("cuEventSynchronize", ADDRESS);
    // cuda.h 13 #defines cuEventElapsedTime as _v2 (added in 12.8); older drivers only have the plain one.
    private static final Downcall cuEventElapsedTime_v2 = Downcall.withFallback(LIB, "cuEventElapsedTime_v2",
            "cuEventElapsedTime", JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
    private static final Downcall cuEventDestroy_v2 = fn("cuEventDestroy_v2", ADDRESS);
    private static final Downcall cuMemAlloc_v2 = fn("cuMemAlloc_v2", ADDRESS, JAVA_LONG);
    private static final Downcall cuMemFree_v2 = fn("cuMemFree_v2", JAVA_LONG);
    private static final Downcall cuMemcpyHtoD_v2 = fn("cuMemcpyHtoD_v2", JAVA_LONG, ADDRESS, JAVA_LONG);
    private static final Downcall cuMemcpyDtoH_v2 = fn("cuMemcpyDtoH_v2", ADDRESS, JAVA_LONG, JAVA_LONG);
    private static final Downcall cuMemcpyHtoDAsync_v2 = fn("cuMemcpyHtoDAsync_v2", JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS);
    private static final Downcall cuMemcpyDtoHAsync_v2 = fn("cuMemcpyDtoHAsync_v2", ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS);
    private static final Downcall cuMemcpyDtoDAsync_v2 = fn("cuMemcpyDtoDAsync_v2", JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS);
    private static final Downcall cuMemsetD8_v2 = fn("cuMemsetD8_v2", JAVA_LONG, JAVA_BYTE, JAVA_LONG);
    private static final Downcall cuMemsetD32_v2 = fn("cuMemsetD32_v2", JAVA_LONG, JAVA_INT, JAVA_LONG);
    private static final Downcall cuMemHostAlloc = fn("cuMemHostAlloc", ADDRESS, JAVA_LONG, JAVA_INT);
    private static final Downcall cuMemFreeHost = fn("cuMemFreeHost", ADDRESS);
    private static final Downcall cuMemGetInfo_v2 = fn("cuMemGetInfo_v2", ADDRESS, ADDRESS);
    private static final Downcall cuModuleLoadData = fn("cuModuleLoadData", ADDRESS, ADDRESS);
    private static final Downcall cuModuleGetFunction = fn("cuModuleGetFunction", ADDRESS, ADDRESS, ADDRESS);
    private static final Downcall cuModuleUnload = fn("cuModuleUnload", ADDRESS);
    private static final Downcall cuFuncSetAttribute = fn("cuFuncSetAttribute", ADDRESS, JAVA_INT, JAVA_INT);
    private static final Downcall cuLaunchKernel = fn("cuLaunchKernel", ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT,
            JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
    private static final Downcall cuStreamBeginCapture_v2 = fn("cuStreamBeginCapture_v2", ADDRESS, JAVA_INT);
    private static final Downcall cuStreamEndCapture = fn("cuStreamEndCapture", ADDRESS, ADDRESS);
    private static final Downcall cuGraphInstantiateWithFlags = fn("cuGraphInstantiateWithFlags", ADDRESS, ADDRESS, JAVA_LONG);
    private static final Downcall cuGraphLaunch = fn("cuGraphLaunch", ADDRESS, ADDRESS);
    private static final Downcall cuGraphExecDestroy = fn("cuGraphExecDestroy", ADDRESS);
    private static final Downcall cuGraphDestroy = fn("cuGraphDestroy", ADDRESS);

    /** Every binding of this class, for the header-conformance test. */
    static final List<Downcall> ALL = List.of(cuGetErrorName, cuInit, cuDriverGetVersion, cuDeviceGet, cuDeviceGetCount,
            cuDeviceGetName, cuDeviceGetAttribute, cuDeviceTotalMem_v2, cuDevicePrimaryCtxRetain, cuDevicePrimaryCtxRelease_v2,
            cuCtxSetCurrent, cuCtxSynchronize, cuStreamCreate, cuStreamDestroy_v2, cuStreamSynchronize, cuEventCreate,
            cuEventRecord, cuEventSynchronize, cuEventElapsedTime_v2, cuEventDestroy_v2, cuMemAlloc_v2, cuMemFree_v2,
            cuMemcpyHtoD_v2, cuMemcpyDtoH_v2, cuMemcpyHtoDAsync_v2, cuMemcpyDtoHAsync_v2, cuMemcpyDtoDAsync_v2, cuMemsetD8_v2, cuMemsetD32_v2,
            cuMemHostAlloc, cuMemFreeHost, cuMemGetInfo_v2, cuModuleLoadData, cuModuleGetFunction, cuModuleUnload,
            cuFuncSetAttribute, cuLaunchKernel, cuStreamBeginCapture_v2, cuStreamEndCapture, cuGraphInstantiateWithFlags,
            cuGraphLaunch, cuGraphExecDestroy, cuGraphDestroy);

    public static int cuGetErrorName(int error, MemorySegment pStr) {
        try { return (int) cuGetErrorName.handle().invokeExact(error, pStr); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int cuInit(int flags) {
        try { return (int) cuInit.handle().invokeExact(flags); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int cuDriverGetVersion(MemorySegment driverVersion) {
        try { return (int) cuDriverGetVersion.handle().invokeExact(driverVersion); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int cuDeviceGet(MemorySegment device, int ordinal) {
        try { return (int) cuDeviceGet.handle().invokeExact(device, ordinal); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int cuDeviceGetCount(MemorySegment count) {
        try { return (int) cuDeviceGetCount.handle().invokeExact(count); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int cuDeviceGetName(MemorySegment name, int len, int dev) {
        try { return (int) cuDeviceGetName.handle().invokeExact(name, len, dev); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int cuDeviceGetAttribute(MemorySegment pi, int attrib, int dev) {
        try { return (int) cuDeviceGetAttribute.handle().invokeExact(pi, attrib, dev); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int cuDeviceTotalMem_v2(MemorySegment bytes, int dev) {
        try { return (int) cuDeviceTotalMem_v2.handle().invokeExact(bytes, dev); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int cuDevicePrimaryCtxRetain(MemorySegment pctx, int dev) {
        try { return (int) cuDevicePrimaryCtxRetain.handle().invokeExact(pctx, dev); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int cuDevicePrimaryCtxRelease_v2(int dev) {
        try { return (int) cuDevicePrimaryCtxRelease_v2.handle().invokeExact(dev); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int cuCtxSetCurrent(MemorySegment ctx) {
        try { return (int) cuCtxSetCurrent.handle().invokeExact(ctx); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int cuCtxSynchronize() {
        try { return (int) cuCtxSynchronize.handle().invokeExact(); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int cuStreamCreate(MemorySegment phStream, int flags) {
        try { return (int) cuStreamCreate.handle().invokeExact(phStream, flags); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int cuStreamDestroy_v2(MemorySegment hStream) {
        try { return (int) cuStreamDestroy_v2.handle().invokeExact(hStream); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int cuStreamSynchronize(MemorySegment hStream) {
        try { return (int) cuStreamSynchronize.handle().invokeExact(hStream); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int cuEventCreate(MemorySegment phEvent, int flags) {
        try { return (int) cuEventCreate.handle().invokeExact(phEvent, flags); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int cuEventRecord(MemorySegment hEvent, MemorySegment hStream) {
        try { return (int) cuEventRecord.handle().invokeExact(hEvent, hStream); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int cuEventSynchronize(MemorySegment hEvent) {
        try { return (int) cuEventSynchronize.handle().invokeExact(hEvent); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    /** {@code pMilliseconds} is a float out-parameter. */
    public static int cuEventElapsedTime_v2(MemorySegment pMilliseconds, MemorySegment hStart, MemorySegment hEnd) {
        try { return (int) cuEventElapsedTime_v2.handle().invokeExact(pMilliseconds, hStart, hEnd); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int cuEventDestroy_v2(MemorySegment hEvent) {
        try { return (int) cuEventDestroy_v2.handle().invokeExact(hEvent); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    /** {@code dptr} receives a CUdeviceptr (8 bytes). */
    public static int cuMemAlloc_v2(MemorySegment dptr, long bytesize) {
        try { return (int) cuMemAlloc_v2.handle().invokeExact(dptr, bytesize); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int cuMemFree_v2(long dptr) {
        try { return (int) cuMemFree_v2.handle().invokeExact(dptr); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int cuMemcpyHtoD_v2(long dstDevice, MemorySegment srcHost, long byteCount) {
        try { return (int) cuMemcpyHtoD_v2.handle().invokeExact(dstDevice, srcHost, byteCount); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int cuMemcpyDtoH_v2(MemorySegment dstHost, long srcDevice, long byteCount) {
        try { return (int) cuMemcpyDtoH_v2.handle().invokeExact(dstHost, srcDevice, byteCount); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int cuMemcpyHtoDAsync_v2(long dstDevice, MemorySegment srcHost, long byteCount, MemorySegment hStream) {
        try { return (int) cuMemcpyHtoDAsync_v2.handle().invokeExact(dstDevice, srcHost, byteCount, hStream); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int cuMemcpyDtoHAsync_v2(MemorySegment dstHost, long srcDevice, long byteCount, MemorySegment hStream) {
        try { return (int) cuMemcpyDtoHAsync_v2.handle().invokeExact(dstHost, srcDevice, byteCount, hStream); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int cuMemcpyDtoDAsync_v2(long dstDevice, long srcDevice, long byteCount, MemorySegment hStream) {
        try { return (int) cuMemcpyDtoDAsync_v2.handle().invokeExact(dstDevice, srcDevice, byteCount, hStream); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int cuMemsetD8_v2(long dstDevice, byte uc, long n) {
        try { return (int) cuMemsetD8_v2.handle().invokeExact(dstDevice, uc, n); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int cuMemsetD32_v2(long dstDevice, int ui, long n) {
        try { return (int) cuMemsetD32_v2.handle().invokeExact(dstDevice, ui, n); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    /** Page-locked host memory; {@code pp} receives the host pointer. */
    public static int cuMemHostAlloc(MemorySegment pp, long bytesize, int flags) {
        try { return (int) cuMemHostAlloc.handle().invokeExact(pp, bytesize, flags); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int cuMemFreeHost(MemorySegment p) {
        try { return (int) cuMemFreeHost.handle().invokeExact(p); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int cuMemGetInfo_v2(MemorySegment free, MemorySegment total) {
        try { return (int) cuMemGetInfo_v2.handle().invokeExact(free, total); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    /** {@code image} is a fatbin, cubin or NUL-terminated PTX in host memory. */
    public static int cuModuleLoadData(MemorySegment module, MemorySegment image) {
        try { return (int) cuModuleLoadData.handle().invokeExact(module, image); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int cuModuleGetFunction(MemorySegment hfunc, MemorySegment hmod, MemorySegment name) {
        try { return (int) cuModuleGetFunction.handle().invokeExact(hfunc, hmod, name); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int cuModuleUnload(MemorySegment hmod) {
        try { return (int) cuModuleUnload.handle().invokeExact(hmod); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int cuFuncSetAttribute(MemorySegment hfunc, int attrib, int value) {
        try { return (int) cuFuncSetAttribute.handle().invokeExact(hfunc, attrib, value); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    /** {@code kernelParams} is a {@code void*[]} holding one pointer to each argument's value; {@code extra} may be NULL. */
    public static int cuLaunchKernel(MemorySegment f, int gridDimX, int gridDimY, int gridDimZ, int blockDimX, int blockDimY,
                                     int blockDimZ, int sharedMemBytes, MemorySegment hStream, MemorySegment kernelParams,
                                     MemorySegment extra) {
        try {
            return (int) cuLaunchKernel.handle().invokeExact(f, gridDimX, gridDimY, gridDimZ, blockDimX, blockDimY, blockDimZ,
                    sharedMemBytes, hStream, kernelParams, extra);
        } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int cuStreamBeginCapture_v2(MemorySegment hStream, int mode) {
        try { return (int) cuStreamBeginCapture_v2.handle().invokeExact(hStream, mode); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int cuStreamEndCapture(MemorySegment hStream, MemorySegment phGraph) {
        try { return (int) cuStreamEndCapture.handle().invokeExact(hStream, phGraph); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int cuGraphInstantiateWithFlags(MemorySegment phGraphExec, MemorySegment hGraph, long flags) {
        try { return (int) cuGraphInstantiateWithFlags.handle().invokeExact(phGraphExec, hGraph, flags); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int cuGraphLaunch(MemorySegment hGraphExec, MemorySegment hStream) {
        try { return (int) cuGraphLaunch.handle().invokeExact(hGraphExec, hStream); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int cuGraphExecDestroy(MemorySegment hGraphExec) {
        try { return (int) cuGraphExecDestroy.handle().invokeExact(hGraphExec); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int cuGraphDestroy(MemorySegment hGraph) {
        try { return (int) cuGraphDestroy.handle().invokeExact(hGraph); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
}
