package dev.gannet.runtime.parallel;

/**
 * The slot for the GPU {@link Communicator}. It will wrap {@code dev.gannet.cuda.Nccl} (the FFM bindings in
 * panama-bindings): one {@code ncclComm_t} per GPU rank from {@code ncclGetUniqueId} +
 * {@code ncclCommInitRank}, {@code allReduce} as {@code ncclAllReduce(ncclSum)}, {@code allGather} as
 * {@code ncclAllGather}, {@code broadcast} as {@code ncclBroadcast}, each on the rank's compute stream so
 * that the collective is ordered after the matmul that produced its input without a host sync. Its
 * buffers will be device pointers, so it needs the CUDA forward pass and its activation buffers, which
 * do not exist yet; until then choosing {@link CommBackend#NCCL} fails with {@link #notBuilt}.
 * There is deliberately no host-side imitation of NCCL here: the CPU group is the tested reference.
 */
public final class NcclCommunicator {
    private NcclCommunicator() {}

    /** The error {@link CommBackend#NCCL} raises until the CUDA backend is built. */
    static UnsupportedOperationException notBuilt(int ranks) {
        return new UnsupportedOperationException("--tp " + ranks + " with the NCCL backend: CUDA backend not built yet "
                + "(NcclCommunicator will wrap dev.gannet.cuda.Nccl); use the CPU backend");
    }
}
