package dev.gannet.runtime.parallel;

/**
 * Which implementation moves host activations between tensor-parallel ranks. GPU ranks exchange device buffers
 * instead, through a {@link DeviceCommunicator} ({@link NcclCommunicator}), opened by the CUDA backend.
 */
public enum CommBackend {
    /** Ranks are threads of this process; collectives go through shared memory ({@link CpuCommGroup}). */
    CPU;

    /** Opens a group of {@code ranks} communicators on this backend. */
    public CommGroup open(int ranks) {
        return switch (this) {
            case CPU -> new CpuCommGroup(ranks);
        };
    }
}
