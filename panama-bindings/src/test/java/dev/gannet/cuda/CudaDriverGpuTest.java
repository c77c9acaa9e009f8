package dev.gannet.cuda;

import static dev.gannet.cuda.CudaException.check;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The driver bindings on a real device: query, memory round trips, a PTX kernel launch (JIT-compiled
 * by the driver, so it does not depend on the toolkit that built Gannet's fatbin), events and a CUDA
 * graph. Skips with one line when there is no driver or device.
 */
@Tag("gpu")
class CudaDriverGpuTest {
    /** float* p, int n: p[i] += 1. Checked with ptxas for sm_80 and sm_90a. */
    static final String ADD_ONE_PTX = """
            .version 7.0
            .target sm_80
            .address_size 64
            
            .visible .entry add_one(.param .u64 p, .param .u32 n)
            {
                .reg .pred %p<2>;
                .reg .b32 %r<6>;
                .reg .f32 %f<3>;
                .reg .b64 %rd<5>;
                ld.param.u64 %rd1, [p];
                ld.param.u32 %r2, [n];
                mov.u32 %r3, %ctaid.x;
                mov.u32 %r4, %ntid.x;
                mov.u32 %r5, %tid.x;
                mad.lo.s32 %r1, %r3, %r4, %r5;
                setp.ge.s32 %p1, %r1, %r2;
                @%p1 bra DONE;
                cvta.to.global.u64 %rd2, %rd1;
                mul.wide.s32 %rd3, %r1, 4;
                add.s64 %rd4, %rd2, %rd3;
                ld.global.f32 %f1, [%rd4];
                add.f32 %f2, %f1, 0f3F800000;
                st.global.f32 [%rd4], %f2;
            DONE:
                ret;
            }
            """;

    static Arena arena;
    static int device;
    static MemorySegment stream;

    @BeforeAll
    static void open() {
        try {
            CudaDriver.load(CudaLibraryPaths.fromEnvironment(System.getenv()));
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

    @Test
    void deviceQuery() {
        MemorySegment i = arena.allocate(JAVA_LONG, 2);
        check(CudaDriver.cuDeviceGetCount(i), "cuDeviceGetCount");
        assertTrue(i.get(JAVA_INT, 0) >= 1);
        MemorySegment name = arena.allocate(256);
        check(CudaDriver.cuDeviceGetName(name, 256, device), "cuDeviceGetName");
        check(CudaDriver.cuDeviceGetAttribute(i, CudaDriver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device), "cuDeviceGetAttribute");
        int major = i.get(JAVA_INT, 0);
        check(CudaDriver.cuDeviceGetAttribute(i, CudaDriver.CU_DEVICE_ATTRIBUTE_WARP_SIZE, device), "cuDeviceGetAttribute");
        assertEquals(32, i.get(JAVA_INT, 0));
        check(CudaDriver.cuDeviceTotalMem_v2(i, device), "cuDeviceTotalMem_v2");
        long total = i.get(JAVA_LONG, 0);
        check(CudaDriver.cuMemGetInfo_v2(i, i.asSlice(8)), "cuMemGetInfo_v2");
        assertTrue(i.get(JAVA_LONG, 0) > 0 && i.get(JAVA_LONG, 8) == total, "free " + i.get(JAVA_LONG, 0) + " total " + total);
        check(CudaDriver.cuDriverGetVersion(i), "cuDriverGetVersion");
        System.out.println("device 0: " + name.getString(0) + ", sm_" + major + "x, " + (total >> 20) + " MiB, driver " + i.get(JAVA_INT, 0));
        check(CudaDriver.cuGetErrorName(CudaDriver.CUDA_ERROR_OUT_OF_MEMORY, i), "cuGetErrorName");
        assertEquals(CudaException.codeName(2), i.get(ADDRESS, 0).reinterpret(64).getString(0));
    }

    @Test
    void allocCopyAndMemsetRoundTrip() {
        int n = 1 << 16;
        MemorySegment p = arena.allocate(JAVA_LONG);
        check(CudaDriver.cuMemAlloc_v2(p, 4L * n), "cuMemAlloc_v2");
        long d = p.get(JAVA_LONG, 0);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment src = a.allocate(JAVA_INT, n), dst = a.allocate(JAVA_INT, n);
            for (int i = 0; i < n; i++) src.setAtIndex(JAVA_INT, i, i * 7 - 3);
            check(CudaDriver.cuMemcpyHtoD_v2(d, src, 4L * n), "cuMemcpyHtoD_v2");
            check(CudaDriver.cuMemcpyDtoH_v2(dst, d, 4L * n), "cuMemcpyDtoH_v2");
            assertArrayEquals(src.toArray(JAVA_INT), dst.toArray(JAVA_INT));
            check(CudaDriver.cuMemsetD32_v2(d, 0x01020304, n), "cuMemsetD32_v2");
            check(CudaDriver.cuMemsetD8_v2(d, (byte) 0xAB, 4), "cuMemsetD8_v2"); // first int only
            check(CudaDriver.cuMemcpyDtoH_v2(dst, d, 4L * n), "cuMemcpyDtoH_v2");
            assertEquals(0xABABABAB, dst.getAtIndex(JAVA_INT, 0));
            assertEquals(0x01020304, dst.getAtIndex(JAVA_INT, n - 1));
            // pinned host memory and async copies on the stream
            check(CudaDriver.cuMemHostAlloc(p, 4L * n, CudaDriver.CU_MEMHOSTALLOC_PORTABLE), "cuMemHostAlloc");
            MemorySegment pinned = p.get(ADDRESS, 0).reinterpret(4L * n);
            check(CudaDriver.cuMemcpyHtoDAsync_v2(d, src, 4L * n, stream), "cuMemcpyHtoDAsync_v2");
            check(CudaDriver.cuMemcpyDtoHAsync_v2(pinned, d, 4L * n, stream), "cuMemcpyDtoHAsync_v2");
            check(CudaDriver.cuStreamSynchronize(stream), "cuStreamSynchronize");
            assertArrayEquals(src.toArray(JAVA_INT), pinned.toArray(JAVA_INT));
            check(CudaDriver.cuMemFreeHost(pinned), "cuMemFreeHost");
        }
        check(CudaDriver.cuMemFree_v2(d), "cuMemFree_v2");
    }

    @Test
    void ptxKernelLaunchEventsAndGraph() {
        int n = 1000;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_LONG);
            check(CudaDriver.cuModuleLoadData(out, a.allocateFrom(ADD_ONE_PTX)), "cuModuleLoadData");
            MemorySegment module = out.get(ADDRESS, 0);
            check(CudaDriver.cuModuleGetFunction(out, module, a.allocateFrom("add_one")), "cuModuleGetFunction");
            MemorySegment fn = out.get(ADDRESS, 0);
            check(CudaDriver.cuMemAlloc_v2(out, 4L * n), "cuMemAlloc_v2");
            long d = out.get(JAVA_LONG, 0);
            check(CudaDriver.cuMemsetD32_v2(d, Float.floatToRawIntBits(1.5f), n), "cuMemsetD32_v2");
            check(CudaDriver.cuCtxSynchronize(), "cuCtxSynchronize"); // the memset ran on the NULL stream; ours does not wait for it
            MemorySegment argP = a.allocate(JAVA_LONG), argN = a.allocate(JAVA_INT), params = a.allocate(ADDRESS, 2);
            argP.set(JAVA_LONG, 0, d);
            argN.set(JAVA_INT, 0, n);
            params.setAtIndex(ADDRESS, 0, argP);
            params.setAtIndex(ADDRESS, 1, argN);
            MemorySegment e0 = event(a), e1 = event(a);
            check(CudaDriver.cuEventRecord(e0, stream), "cuEventRecord");
            launch(fn, n, params);
            check(CudaDriver.cuEventRecord(e1, stream), "cuEventRecord");
            check(CudaDriver.cuEventSynchronize(e1), "cuEventSynchronize");
            MemorySegment ms = a.allocate(JAVA_FLOAT);
            check(CudaDriver.cuEventElapsedTime_v2(ms, e0, e1), "cuEventElapsedTime_v2");
            assertTrue(ms.get(JAVA_FLOAT, 0) >= 0);
            // capture two launches into a graph and replay it twice: +4 in all with the eager launch's +1
            check(CudaDriver.cuStreamBeginCapture_v2(stream, CudaDriver.CU_STREAM_CAPTURE_MODE_THREAD_LOCAL), "cuStreamBeginCapture_v2");
            launch(fn, n, params);
            launch(fn, n, params);
            MemorySegment graph = a.allocate(ADDRESS), exec = a.allocate(ADDRESS);
            check(CudaDriver.cuStreamEndCapture(stream, graph), "cuStreamEndCapture");
            check(CudaDriver.cuGraphInstantiateWithFlags(exec, graph.get(ADDRESS, 0), 0), "cuGraphInstantiateWithFlags");
            check(CudaDriver.cuGraphLaunch(exec.get(ADDRESS, 0), stream), "cuGraphLaunch");
            check(CudaDriver.cuGraphLaunch(exec.get(ADDRESS, 0), stream), "cuGraphLaunch");
            check(CudaDriver.cuStreamSynchronize(stream), "cuStreamSynchronize");
            MemorySegment host = a.allocate(JAVA_FLOAT, n);
            check(CudaDriver.cuMemcpyDtoH_v2(host, d, 4L * n), "cuMemcpyDtoH_v2");
            for (int i = 0; i < n; i++) assertEquals(6.5f, host.getAtIndex(JAVA_FLOAT, i), "element " + i);
            check(CudaDriver.cuGraphExecDestroy(exec.get(ADDRESS, 0)), "cuGraphExecDestroy");
            check(CudaDriver.cuGraphDestroy(graph.get(ADDRESS, 0)), "cuGraphDestroy");
            check(CudaDriver.cuEventDestroy_v2(e0), "cuEventDestroy_v2");
            check(CudaDriver.cuEventDestroy_v2(e1), "cuEventDestroy_v2");
            check(CudaDriver.cuMemFree_v2(d), "cuMemFree_v2");
            check(CudaDriver.cuModuleUnload(module), "cuModuleUnload");
        }
    }

    private static MemorySegment event(Arena a) {
        MemorySegment e = a.allocate(ADDRESS);
        check(CudaDriver.cuEventCreate(e, CudaDriver.CU_EVENT_DEFAULT), "cuEventCreate");
        return e.get(ADDRESS, 0);
    }

    private static void launch(MemorySegment fn, int n, MemorySegment params) {
        check(CudaDriver.cuLaunchKernel(fn, (n + 127) / 128, 1, 1, 128, 1, 1, 0, stream, params, MemorySegment.NULL), "cuLaunchKernel");
    }
}
