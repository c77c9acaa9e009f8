package dev.gannet.runtime.cuda;

import static dev.gannet.cuda.CudaException.check;

import dev.gannet.cuda.CudaDriver;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Page-locked host memory (cuMemHostAlloc): the staging area of asynchronous copies, which only pinned memory
 * makes truly asynchronous. Step inputs are written here and copied in one cuMemcpyHtoDAsync; logits come back
 * here. One owner thread.
 */
final class PinnedBuffer implements AutoCloseable {
    private final MemorySegment segment;
    private boolean closed;

    private PinnedBuffer(MemorySegment segment) {
        this.segment = segment;
    }

    static PinnedBuffer allocate(long bytes) {
        if (bytes <= 0) throw new IllegalArgumentException("pinned buffer of " + bytes + " bytes");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            check(CudaDriver.cuMemHostAlloc(out, bytes, CudaDriver.CU_MEMHOSTALLOC_PORTABLE), "cuMemHostAlloc(" + bytes + " bytes)");
            return new PinnedBuffer(out.get(ValueLayout.ADDRESS, 0).reinterpret(bytes));
        }
    }

    MemorySegment segment() {
        return segment;
    }

    long size() {
        return segment.byteSize();
    }

    /** Enqueues a copy of {@code bytes} from offset {@code from} of this buffer to device pointer {@code dst}. */
    void copyToDevice(long from, long dst, long bytes, CudaContext cuda) {
        if (bytes <= 0) return;
        check(CudaDriver.cuMemcpyHtoDAsync_v2(dst, segment.asSlice(from, bytes), bytes, cuda.stream()), "cuMemcpyHtoDAsync_v2");
    }

    /** Enqueues a copy of {@code bytes} from device pointer {@code src} into this buffer at offset {@code to}. */
    void copyFromDevice(long src, long to, long bytes, CudaContext cuda) {
        if (bytes <= 0) return;
        check(CudaDriver.cuMemcpyDtoHAsync_v2(segment.asSlice(to, bytes), src, bytes, cuda.stream()), "cuMemcpyDtoHAsync_v2");
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        check(CudaDriver.cuMemFreeHost(segment), "cuMemFreeHost");
    }
}
