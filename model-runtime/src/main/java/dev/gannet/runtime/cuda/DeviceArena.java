package dev.gannet.runtime.cuda;

import java.util.ArrayList;
import java.util.List;

/**
 * Device allocations of one owner, freed together by {@link #close}, with a running byte count (what /metrics
 * reports as weights, KV cache and activations). Every allocation is rounded up to 256 bytes, the alignment
 * cuMemAlloc guarantees, so that sub-buffers carved out of one allocation stay aligned. One owner thread.
 */
final class DeviceArena implements AutoCloseable {
    static final long ALIGN = 256;

    private final CudaContext cuda;
    private final List<Long> pointers = new ArrayList<>();
    private long bytes;

    DeviceArena(CudaContext cuda) {
        this.cuda = cuda;
    }

    /** {@code size} bytes (at least 1), 256-byte aligned. */
    long alloc(long size) {
        long rounded = align(Math.max(1, size));
        long p = cuda.alloc(rounded);
        pointers.add(p);
        bytes += rounded;
        return p;
    }

    /** Bytes allocated so far. */
    long bytes() {
        return bytes;
    }

    static long align(long size) {
        return (size + ALIGN - 1) / ALIGN * ALIGN;
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (int i = pointers.size() - 1; i >= 0; i--) {
            try {
                cuda.free(pointers.get(i));
            } catch (RuntimeException e) {
                if (first == null) first = e;
            }
        }
        pointers.clear();
        bytes = 0;
        if (first != null) throw first;
    }
}
