package dev.gannet.runtime.cuda;

import static dev.gannet.cuda.CudaException.check;

import dev.gannet.cuda.CudaDriver;
import dev.gannet.cuda.CudaLibraryPaths;
import dev.gannet.cuda.CudaUnavailableException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One GPU: its primary context, made current on the creating thread, and one non-blocking stream.
 * Every call must come from the thread that opened it (the engine thread), or from a thread that
 * called {@link #makeCurrent}. Device memory is plain {@code long} CUdeviceptr values.
 */
public final class CudaContext implements AutoCloseable {
    private final int device;
    private final MemorySegment context; // CUcontext
    private final MemorySegment stream;  // CUstream
    private final Arena arena = Arena.ofShared(); // shared: test frameworks may close from another thread
    private final MemorySegment scratch; // 16 bytes for out-parameters
    private final boolean ownsStream;
    private boolean closed;

    private CudaContext(int device, MemorySegment context, MemorySegment stream, boolean ownsStream) {
        this.device = device;
        this.context = context;
        this.stream = stream;
        this.ownsStream = ownsStream;
        this.scratch = arena.allocate(16, 8);
    }

    /**
     * A second handle on {@code owner}'s device and stream (the primary context retained once more): work enqueued
     * through either is ordered on the one stream. Tensor-parallel ranks that share a GPU use it, so that the
     * in-process all-reduce ({@link SameDeviceGroup}) is ordered after every rank's partial sums without events.
     * Closing it releases the context reference, not the stream.
     */
    public static CudaContext sharing(CudaContext owner) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ctx = a.allocate(ValueLayout.ADDRESS);
            check(CudaDriver.cuDevicePrimaryCtxRetain(ctx, owner.device), "cuDevicePrimaryCtxRetain");
            MemorySegment context = ctx.get(ValueLayout.ADDRESS, 0);
            check(CudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent");
            return new CudaContext(owner.device, context, owner.stream, false);
        }
    }

    /**
     * Loads libcuda (search dirs from {@code paths}), initialises the driver and opens device
     * {@code ordinal}. Throws {@link CudaUnavailableException} when there is no driver or no such device.
     */
    public static CudaContext open(CudaLibraryPaths paths, int ordinal) {
        CudaDriver.load(paths);
        try (Arena a = Arena.ofConfined()) {
            int init = CudaDriver.cuInit(0);
            if (init == CudaDriver.CUDA_ERROR_NO_DEVICE) throw new CudaUnavailableException("cuInit: no CUDA device (CUDA_ERROR_NO_DEVICE)");
            check(init, "cuInit");
            MemorySegment count = a.allocate(ValueLayout.JAVA_INT);
            check(CudaDriver.cuDeviceGetCount(count), "cuDeviceGetCount");
            int n = count.get(ValueLayout.JAVA_INT, 0);
            if (ordinal < 0 || ordinal >= n) throw new CudaUnavailableException("CUDA device " + ordinal + " requested, " + n + " present");
            MemorySegment dev = a.allocate(ValueLayout.JAVA_INT);
            check(CudaDriver.cuDeviceGet(dev, ordinal), "cuDeviceGet");
            int d = dev.get(ValueLayout.JAVA_INT, 0);
            MemorySegment ctx = a.allocate(ValueLayout.ADDRESS);
            check(CudaDriver.cuDevicePrimaryCtxRetain(ctx, d), "cuDevicePrimaryCtxRetain");
            MemorySegment context = ctx.get(ValueLayout.ADDRESS, 0);
            check(CudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent");
            MemorySegment st = a.allocate(ValueLayout.ADDRESS);
            check(CudaDriver.cuStreamCreate(st, CudaDriver.CU_STREAM_NON_BLOCKING), "cuStreamCreate");
            return new CudaContext(d, context, st.get(ValueLayout.ADDRESS, 0), true);
        }
    }

    public void makeCurrent() {
        check(CudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent");
    }

    public MemorySegment stream() {
        return stream;
    }

    public int device() {
        return device;
    }

    public String name() {
        MemorySegment buf = arena.allocate(256);
        check(CudaDriver.cuDeviceGetName(buf, 256, device), "cuDeviceGetName");
        return buf.getString(0);
    }

    public int attribute(int attribute) {
        check(CudaDriver.cuDeviceGetAttribute(scratch, attribute, device), "cuDeviceGetAttribute");
        return scratch.get(ValueLayout.JAVA_INT, 0);
    }

    /** e.g. 90 for compute capability 9.0. */
    public int computeCapability() {
        return attribute(CudaDriver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR) * 10
                + attribute(CudaDriver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
    }

    public long totalMemory() {
        check(CudaDriver.cuDeviceTotalMem_v2(scratch, device), "cuDeviceTotalMem_v2");
        return scratch.get(ValueLayout.JAVA_LONG, 0);
    }

    /** {free, total} bytes of device memory. */
    public long[] memoryInfo() {
        check(CudaDriver.cuMemGetInfo_v2(scratch, scratch.asSlice(8)), "cuMemGetInfo_v2");
        return new long[] {scratch.get(ValueLayout.JAVA_LONG, 0), scratch.get(ValueLayout.JAVA_LONG, 8)};
    }

    /** e.g. 12080 for a CUDA 12.8 driver. */
    public int driverVersion() {
        check(CudaDriver.cuDriverGetVersion(scratch), "cuDriverGetVersion");
        return scratch.get(ValueLayout.JAVA_INT, 0);
    }

    public long alloc(long bytes) {
        if (bytes <= 0) throw new IllegalArgumentException("alloc of " + bytes + " bytes");
        check(CudaDriver.cuMemAlloc_v2(scratch, bytes), "cuMemAlloc_v2");
        return scratch.get(ValueLayout.JAVA_LONG, 0);
    }

    public void free(long devicePointer) {
        if (devicePointer != 0) check(CudaDriver.cuMemFree_v2(devicePointer), "cuMemFree_v2");
    }

    /**
     * Synchronous copy of all of {@code host} to {@code devicePointer}. Waits for this context's
     * stream first: the copy runs on the NULL stream, which a non-blocking stream does not order with.
     * (The step loop will use async copies on {@link #stream()}; these are for set-up and tests.)
     */
    public void upload(long devicePointer, MemorySegment host) {
        synchronize();
        check(CudaDriver.cuMemcpyHtoD_v2(devicePointer, host, host.byteSize()), "cuMemcpyHtoD_v2");
    }

    /** Synchronous copy filling all of {@code host}; waits for this context's stream first. */
    public void download(MemorySegment host, long devicePointer) {
        synchronize();
        check(CudaDriver.cuMemcpyDtoH_v2(host, devicePointer, host.byteSize()), "cuMemcpyDtoH_v2");
    }

    /**
     * Waits for all work of the context, the NULL stream included: the synchronous memset and pageable copies of
     * set-up run there and are not ordered with this context's non-blocking stream.
     */
    public void synchronizeAll() {
        check(CudaDriver.cuCtxSynchronize(), "cuCtxSynchronize");
    }

    public void synchronize() {
        check(CudaDriver.cuStreamSynchronize(stream), "cuStreamSynchronize");
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            if (ownsStream) check(CudaDriver.cuStreamDestroy_v2(stream), "cuStreamDestroy_v2");
            check(CudaDriver.cuDevicePrimaryCtxRelease_v2(device), "cuDevicePrimaryCtxRelease_v2");
        } finally {
            arena.close();
        }
    }
}
