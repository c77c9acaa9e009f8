package dev.gannet.runtime.parallel;

/**
 * The communicators of one tensor-parallel group, one per rank; opened by {@link CommBackend#open}.
 * {@link #abort} unblocks every rank waiting in a collective (they throw), so that one failing rank
 * cannot leave the others waiting forever.
 */
public interface CommGroup extends AutoCloseable {

    int size();

    /** The communicator rank {@code rank}'s thread uses. */
    Communicator rank(int rank);

    /** Breaks the group: every pending and later collective throws an exception naming {@code cause}. */
    void abort(Throwable cause);

    /**
     * Makes an aborted group usable again. Call only while no rank is inside a collective (all ranks have
     * returned or thrown out of the failed step), from one thread.
     */
    void recover();

    @Override
    void close();
}
