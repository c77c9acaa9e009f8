package dev.gannet.runtime.cuda;

import static dev.gannet.cuda.CudaException.check;

import dev.gannet.cuda.CudaDriver;
import dev.gannet.runtime.parallel.DeviceCommunicator;
import dev.gannet.runtime.parallel.SpinParkBarrier;
import java.lang.foreign.MemorySegment;

/**
 * Tensor-parallel ranks that share one GPU and one stream ({@link CudaContext#sharing}), with an in-process
 * all-reduce: it lets a one-GPU machine run the whole multi-rank path (sharding, per-rank KV, collectives, logit
 * assembly) that NCCL cannot (NCCL refuses two ranks on one device). An all-reduce is: every rank publishes its
 * buffer; barrier (so every rank's partial sums are enqueued on the shared stream); each rank enqueues
 * {@code scratch_r = buf_0 + buf_1 + ...} in rank order ({@code vector_add}, rounding to the activation dtype after
 * each add); barrier (so every sum is enqueued before any buffer is overwritten); each rank copies its sum back.
 * Every rank computes the same sum in the same order, so the residual streams stay identical.
 */
public final class SameDeviceGroup {
    private final int size;
    private final SpinParkBarrier barrier;
    private final long[] published; // [rank] buffer of the all-reduce in progress; the barrier orders the writes

    public SameDeviceGroup(int size) {
        if (size < 1) throw new IllegalArgumentException("a group of " + size + " ranks");
        this.size = size;
        this.barrier = new SpinParkBarrier(size, 0);
        this.published = new long[size];
    }

    /** Breaks the group: ranks waiting in an all-reduce, and later ones, throw. */
    public void abort(Throwable cause) {
        barrier.abort(cause);
    }

    /** Makes an aborted group usable again; only while no rank is inside an all-reduce. */
    public void recover() {
        barrier.reset();
    }

    /** Rank {@code rank}'s communicator, summing with {@code kernels} into {@code scratch} (as large as any buffer). */
    DeviceCommunicator rank(int rank, CudaKernels kernels, CudaContext cuda, long scratch, long scratchBytes) {
        if (rank < 0 || rank >= size) throw new IllegalArgumentException("rank " + rank + " of " + size);
        return new DeviceCommunicator() {
            @Override
            public int rank() { return rank; }

            @Override
            public int size() { return size; }

            @Override
            public void allReduce(long buf, long count, Element type, MemorySegment stream) {
                long bytes = count * type.bytes();
                if (count <= 0 || bytes > scratchBytes || count > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("allReduce of " + count + " elements, scratch holds " + scratchBytes + " bytes");
                }
                DeviceDtype t = switch (type) {
                    case F32 -> DeviceDtype.F32;
                    case F16 -> DeviceDtype.F16;
                    case BF16 -> DeviceDtype.BF16;
                };
                published[rank] = buf;
                barrier.await(rank);
                long acc = published[0];
                for (int q = 1; q < size; q++) {
                    kernels.vectorAdd(t, scratch, acc, published[q], (int) count);
                    acc = scratch;
                }
                barrier.await(rank);
                if (size > 1) check(CudaDriver.cuMemcpyDtoDAsync_v2(buf, scratch, bytes, stream), "cuMemcpyDtoDAsync_v2");
            }

            @Override
            public void close() { }
        };
    }
}
