package dev.gannet.runtime.kernel;

import dev.gannet.runtime.tensor.GgmlType;
import dev.gannet.runtime.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Matmuls through one variant of the native kernel library ({@link NativeCpuLibrary}) on a {@link ComputePool}:
 * the caller prepares the activations once (Q8_0/Q4_0/Q4_K/Q6_K: quantized to 8-bit records; F32/F16/BF16: an f32
 * copy with 64-byte aligned rows), then every worker claims ranges of output rows and calls the kernel on
 * each. Results land straight in the caller's output array. Reduction order per output is fixed in the C
 * code, so a token's result is the same whatever the batch and the thread count.
 *
 * <p>Covers F32/F16/BF16, Q4_K/Q6_K and packed Q8_0/Q4_0; {@link #covers} says so, the Vector API does the rest.
 * Thread rules as {@link VectorKernels}: one caller at a time.
 */
final class NativeMatmul {
    private static final int HEAP_SEGMENTS = 8;

    private final NativeCpuLibrary.Variant kernels;
    private final ComputePool pool;
    private final RowsTask rows = new RowsTask();
    private final QuantizeTask quantize = new QuantizeTask();
    private MemorySegment prepared = MemorySegment.NULL; // activations as the kernels read them; grows a few times, then never
    // Heap segments over the caller's activation arrays, kept so that a call allocates none (the forward
    // pass reuses a handful of arrays); replaced round-robin.
    private final float[][] arrays = new float[HEAP_SEGMENTS][];
    private final MemorySegment[] segments = new MemorySegment[HEAP_SEGMENTS];
    private int nextSlot;

    NativeMatmul(NativeCpuLibrary.Variant kernels, ComputePool pool) {
        this.kernels = kernels;
        this.pool = pool;
    }

    /**
     * Whether the native kernels compute {@code w}: F32/F16/BF16, Q4_K/Q6_K and packed Q8_0/Q4_0, in native
     * memory (not the mapped Q8_0/Q4_0 layout, not weights in a Java array, which have no address).
     */
    static boolean covers(WeightMatrix w) {
        boolean type = switch (w.type()) {
            case F32, F16, BF16, Q4_K, Q6_K -> true;
            case Q8_0, Q4_0 -> w.packed();
            default -> false;
        };
        return type && w.data().isNative() && (w.scales() == null || w.scales().isNative());
    }

    NativeCpuLibrary.Isa isa() {
        return kernels.isa;
    }

    /** out (m, w.rows) = x (m, w.cols) times w transposed; arguments already checked by the caller. */
    void matmul(WeightMatrix w, float[] x, float[] out, int m) {
        // the kernels get raw addresses: a closed arena must fail here, not inside the C code
        if (!w.data().scope().isAlive()) throw new IllegalStateException(w.name() + ": its memory has been released");
        int k = w.cols();
        int mode = quantizeMode(w.type());
        long xStride; // bytes between tokens in `prepared`
        if (mode >= 0) {
            xStride = kernels.xqRowBytes(k, mode);
            ensure(xStride * m);
            prepareQuantized(heap(x), k, m, mode);
        } else {
            xStride = 4L * ((k + 15) & ~15);
            ensure(xStride * m);
            for (int t = 0; t < m; t++) MemorySegment.copy(x, t * k, prepared, ValueLayout.JAVA_FLOAT, t * xStride, k);
        }
        RowsTask r = rows;
        r.w = w;
        r.xStride = xStride;
        r.out = heap(out);
        r.m = m;
        r.nextRow.set(0);
        try {
            if (pool.size() == 1 || (long) w.rows() * k * m < VectorKernels.PARALLEL_MIN_WORK) {
                r.grain = w.rows();
                r.run(0, 1);
            } else {
                r.grain = VectorKernels.grain(w.rows(), pool.size());
                pool.run(r);
            }
        } finally {
            r.w = null; // do not pin a model's weights after the call
            r.out = null;
        }
    }

    /** GANNET_XQ_* of gannet_cpu.h: which records the type's kernel reads; -1 for f32 activations. */
    private static int quantizeMode(GgmlType type) {
        return switch (type) {
            case Q8_0 -> 0;
            case Q4_0 -> 1;
            case Q4_K -> 2;
            case Q6_K -> 3;
            default -> -1;
        };
    }

    private void ensure(long bytes) {
        if (prepared.byteSize() < bytes) prepared = Arena.ofAuto().allocate(bytes, 64);
    }

    /** Quantizes on the caller for a few tokens, split over the pool's workers for a batch. */
    private void prepareQuantized(MemorySegment x, int k, int m, int mode) {
        QuantizeTask q = quantize;
        q.x = x;
        q.k = k;
        q.m = m;
        q.mode = mode;
        q.xq = prepared;
        try {
            if (m < 8 || pool.size() == 1) q.run(0, 1);
            else pool.run(q);
        } finally {
            q.x = null;
        }
    }

    /** A heap segment over {@code a}, reused while the array stays among the last few seen. */
    private MemorySegment heap(float[] a) {
        for (int i = 0; i < HEAP_SEGMENTS; i++) {
            if (arrays[i] == a) return segments[i];
        }
        int i = nextSlot;
        nextSlot = (i + 1) % HEAP_SEGMENTS;
        arrays[i] = a;
        segments[i] = MemorySegment.ofArray(a);
        return segments[i];
    }

    private final class QuantizeTask implements ComputePool.Task {
        MemorySegment x;  // (m, k) f32, heap
        MemorySegment xq; // m records of xqRowBytes(k)
        int k, m, mode;

        @Override
        public void run(int index, int count) {
            int t0 = (int) ((long) m * index / count), t1 = (int) ((long) m * (index + 1) / count);
            if (t0 == t1) return;
            long rb = kernels.xqRowBytes(k, mode);
            try {
                MemorySegment from = t0 == 0 ? x : x.asSlice(4L * t0 * k); // worker 0 (the caller) slices nothing
                kernels.quantize.invokeExact(from, (long) k, (long) (t1 - t0), (long) k, mode, xq.address() + rb * t0);
            } catch (Throwable e) {
                throw NativeCpuLibrary.failed(e);
            }
        }
    }

    /** The task every matmul reuses: fields set by the caller before each run. */
    private final class RowsTask implements ComputePool.Task {
        WeightMatrix w;     // (rows, cols)
        MemorySegment out;  // (m, rows) f32, heap
        long xStride;       // bytes per token in `prepared`
        int m;
        int grain;          // rows per claim
        final AtomicInteger nextRow = new AtomicInteger();

        @Override
        public void run(int index, int count) {
            int total = w.rows();
            for (int r0; (r0 = nextRow.getAndAdd(grain)) < total; ) {
                call(r0, Math.min(total, r0 + grain));
            }
        }

        private void call(long r0, long r1) {
            WeightMatrix wm = w;
            long k = wm.cols(), outStride = wm.rows(), x = prepared.address(), data = wm.data().address();
            try {
                switch (wm.type()) {
                    case Q8_0 -> kernels.q8_0.invokeExact(data, wm.rowStride(), wm.scales().address(), wm.scaleStride(), k, x, (long) m, out, outStride, r0, r1);
                    case Q4_0 -> kernels.q4_0.invokeExact(data, wm.rowStride(), wm.scales().address(), wm.scaleStride(), k, x, (long) m, out, outStride, r0, r1);
                    case Q4_K -> kernels.q4_K.invokeExact(data, wm.rowStride(), k, x, (long) m, out, outStride, r0, r1);
                    case Q6_K -> kernels.q6_K.invokeExact(data, wm.rowStride(), k, x, (long) m, out, outStride, r0, r1);
                    case F32 -> kernels.f32.invokeExact(data, wm.rowStride(), k, x, xStride / 4, (long) m, out, outStride, r0, r1);
                    case F16 -> kernels.f16.invokeExact(data, wm.rowStride(), k, x, xStride / 4, (long) m, out, outStride, r0, r1);
                    case BF16 -> kernels.bf16.invokeExact(data, wm.rowStride(), k, x, xStride / 4, (long) m, out, outStride, r0, r1);
                    default -> throw ReferenceKernels.unsupported(wm);
                }
            } catch (Throwable e) {
                throw NativeCpuLibrary.failed(e);
            }
        }
    }
}
