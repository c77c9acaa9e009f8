package dev.gannet.runtime.parallel;

import java.lang.foreign.MemorySegment;

/**
 * One GPU tensor-parallel rank's collectives on device buffers, the device counterpart of {@link Communicator}:
 * the same contract (every rank calls the same collectives in the same order with the same lengths), buffers
 * are device pointers and each call is ordered on the rank's stream after the work that produced its input, so
 * the host does not wait. Implementations: {@link NcclCommunicator} (one rank per GPU) and, for tests of the
 * tensor-parallel path on a one-GPU machine, {@code dev.gannet.runtime.cuda.SameDeviceGroup} (ranks sharing a GPU).
 * Each instance belongs to its rank's thread.
 */
public interface DeviceCommunicator extends AutoCloseable {
    /** Element types of the buffers (the activation dtypes). */
    enum Element {
        F32(4), F16(2), BF16(2);

        private final int bytes;

        Element(int bytes) { this.bytes = bytes; }

        public int bytes() { return bytes; }
    }

    int rank();

    int size();

    /**
     * Replaces {@code count} elements at device pointer {@code buf} on every rank by their sum over all ranks,
     * enqueued on {@code stream} (a CUstream). Implementations state their summation order.
     */
    void allReduce(long buf, long count, Element type, MemorySegment stream);

    @Override
    void close();
}
