package dev.gannet.runtime.parallel;

/**
 * Collective operations among the ranks of one tensor-parallel group, as seen by one rank. Every rank of
 * the group calls the same operations in the same order with the same lengths (that is the contract of
 * NCCL and MPI too); a rank that skips or reorders a call stalls the others. Buffers are token-major f32
 * activations. Each instance belongs to one rank's thread.
 */
public interface Communicator {

    /** This rank's index in [0, size()). */
    int rank();

    /** Ranks in the group. */
    int size();

    /**
     * Replaces buf[offset, offset + length) on every rank by the element-wise sum over all ranks.
     * Implementations state their summation order; the CPU one sums in rank order 0, 1, ..., N-1.
     */
    void allReduce(float[] buf, int offset, int length);

    /**
     * Concatenates every rank's src[srcOff, srcOff + len) in rank order into dst[dstOff, dstOff + size() * len)
     * on every rank: rank r's part lands at dstOff + r * len.
     */
    void allGather(float[] src, int srcOff, int len, float[] dst, int dstOff);

    /**
     * Like {@link #allGather} but only rank {@code root} receives: its dst[dstOff, dstOff + size() * len) gets
     * every rank's part in rank order; the other ranks may pass a null dst. (Logits need only one copy.)
     */
    void gather(float[] src, int srcOff, int len, float[] dst, int dstOff, int root);

    /** Copies buf[off, off + len) of rank {@code root} into buf[off, off + len) of every rank. */
    void broadcast(float[] buf, int off, int len, int root);

    /** Returns once every rank of the group has called it. */
    void barrier();
}
