package dev.gannet.runtime.parallel;

import dev.gannet.cuda.CudaLibraryPaths;
import dev.gannet.cuda.Nccl;
import dev.gannet.cuda.NcclException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A {@link DeviceCommunicator} over NCCL (FFM bindings {@link Nccl}): one {@code ncclComm_t} per GPU rank, made by
 * {@code ncclCommInitRank} with a unique id that rank 0's process made ({@link #uniqueId}) and hands to every rank
 * in-process, so no network rendezvous is needed. All-reduce is {@code ncclAllReduce(ncclSum)} on the rank's
 * stream: ordered after the matmul that produced the partial sums, with no host synchronisation. NCCL chooses its
 * own reduction order (ring or tree), so results are not bit-equal to the CPU group's rank-order sum.
 *
 * <p>{@link #init} blocks until every rank of the group has called it, so the ranks of one process call it from
 * their own threads, each with its GPU's context current.
 */
public final class NcclCommunicator implements DeviceCommunicator {
    private final int rank;
    private final int size;
    private final MemorySegment comm; // ncclComm_t
    private boolean closed;

    private NcclCommunicator(int rank, int size, MemorySegment comm) {
        this.rank = rank;
        this.size = size;
        this.comm = comm;
    }

    /**
     * Loads NCCL (search dirs from {@code paths}) and makes the group's unique id: 128 bytes every rank passes to
     * {@link #init}. Throws {@link dev.gannet.cuda.CudaUnavailableException} naming the places tried when libnccl is absent.
     */
    public static MemorySegment uniqueId(CudaLibraryPaths paths) {
        Nccl.load(paths);
        MemorySegment id = Arena.ofAuto().allocate(Nccl.NCCL_UNIQUE_ID);
        NcclException.check(Nccl.ncclGetUniqueId(id), "ncclGetUniqueId");
        return id;
    }

    /** Rank {@code rank} of {@code size} joins the group of {@code uniqueId}; call with the rank's CUDA context current. */
    public static NcclCommunicator init(MemorySegment uniqueId, int size, int rank) {
        if (size < 1 || rank < 0 || rank >= size) throw new IllegalArgumentException("NCCL rank " + rank + " of " + size);
        if (uniqueId.byteSize() != Nccl.NCCL_UNIQUE_ID_BYTES) {
            throw new IllegalArgumentException("an NCCL unique id is " + Nccl.NCCL_UNIQUE_ID_BYTES + " bytes, got " + uniqueId.byteSize());
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            NcclException.check(Nccl.ncclCommInitRank(out, size, uniqueId, rank), "ncclCommInitRank(rank " + rank + " of " + size + ")");
            return new NcclCommunicator(rank, size, out.get(ValueLayout.ADDRESS, 0));
        }
    }

    static int ncclType(Element t) {
        return switch (t) {
            case F32 -> Nccl.ncclFloat32;
            case F16 -> Nccl.ncclFloat16;
            case BF16 -> Nccl.ncclBfloat16;
        };
    }

    @Override
    public int rank() { return rank; }

    @Override
    public int size() { return size; }

    /** In place (send = receive buffer), as NCCL allows. */
    @Override
    public void allReduce(long buf, long count, Element type, MemorySegment stream) {
        if (count <= 0) throw new IllegalArgumentException("allReduce of " + count + " elements");
        NcclException.check(Nccl.ncclAllReduce(buf, buf, count, ncclType(type), Nccl.ncclSum, comm, stream), "ncclAllReduce");
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        NcclException.check(Nccl.ncclCommDestroy(comm), "ncclCommDestroy");
    }
}
