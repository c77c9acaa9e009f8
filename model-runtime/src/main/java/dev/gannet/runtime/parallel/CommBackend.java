package dev.gannet.runtime.parallel;

/** Which implementation moves activations between tensor-parallel ranks. */
public enum CommBackend {
    /** Ranks are threads of this process; collectives go through shared memory ({@link CpuCommGroup}). */
    CPU,
    /** Ranks are GPUs; collectives are NCCL calls ({@link NcclCommunicator}, not built yet). */
    NCCL;

    /**
     * Opens a group of {@code ranks} communicators on this backend.
     *
     * @throws UnsupportedOperationException for {@link #NCCL} until the CUDA backend exists
     */
    public CommGroup open(int ranks) {
        return switch (this) {
            case CPU -> new CpuCommGroup(ranks);
            case NCCL -> throw NcclCommunicator.notBuilt(ranks);
        };
    }
}
