package dev.gannet.runtime.parallel;

/**
 * Collectives for ranks that are threads of one process, through shared memory and no copies beyond the
 * result itself. A collective is: each rank publishes its buffer reference in its own slot, barrier, each
 * rank does its disjoint share of the work reading the others' buffers directly, barrier. The second
 * barrier keeps any rank from touching its buffer (or publishing the next call) while another still reads it.
 *
 * <p>All-reduce is deterministic: element i of the result is always
 * {@code ((b0[i] + b1[i]) + b2[i]) + ... + b(N-1)[i]}, in rank order, whichever rank computes it and however
 * the threads are timed, so it equals a sequential sum in rank order bit for bit. Rank r reduces the
 * elements of its slice (cache-line aligned, so no two ranks write one line) and writes the sum into every
 * rank's buffer. Nothing is allocated per call. Buffers of different ranks must not overlap.
 */
public final class CpuCommGroup implements CommGroup {
    /** Floats per cache line: slice boundaries fall on multiples of this. */
    private static final int LINE = 16;
    /**
     * Barrier polls before parking, used only when there are more cores than ranks. Measured on the shared
     * 2-core box (load ~11): an empty barrier of 2 ranks took 3-6 us parking at once, 7-21 us with 256 polls
     * and 50-200 us with 4096, because a spinning rank holds the core its late peer needs.
     */
    private static final int SPINS = 256;

    private final int size;
    private final SpinParkBarrier barrier;
    private final Rank[] ranks;
    private final float[][] pubBuf; // [rank] buffer published for the current collective
    private final int[] pubOff;     // [rank] its offset
    private final int[] pubLen;     // [rank] its length
    private final int[] pubArg;     // [rank] root of a broadcast, or the operation's tag
    private volatile boolean closed;

    public CpuCommGroup(int size) {
        this(size, size < Runtime.getRuntime().availableProcessors() ? SPINS : 0);
    }

    /** @param spins barrier polls before a waiting rank parks (0: park at once) */
    public CpuCommGroup(int size, int spins) {
        if (size < 1) throw new IllegalArgumentException("--tp " + size + ": the rank count must be at least 1");
        this.size = size;
        this.barrier = new SpinParkBarrier(size, spins);
        this.pubBuf = new float[size][];
        this.pubOff = new int[size];
        this.pubLen = new int[size];
        this.pubArg = new int[size];
        this.ranks = new Rank[size];
        for (int r = 0; r < size; r++) ranks[r] = new Rank(r);
    }

    @Override
    public int size() { return size; }

    @Override
    public Communicator rank(int rank) {
        if (rank < 0 || rank >= size) throw new IllegalArgumentException("rank " + rank + " outside [0, " + size + ")");
        return ranks[rank];
    }

    @Override
    public void abort(Throwable cause) {
        barrier.abort(cause);
    }

    @Override
    public void recover() {
        if (closed) throw new IllegalStateException("communicator group closed");
        barrier.reset();
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        barrier.abort(new IllegalStateException("communicator group closed"));
    }

    private static final int OP_ALL_REDUCE = -1;
    private static final int OP_ALL_GATHER = -2;
    private static final int OP_GATHER = -3; // minus the root: -3 - root

    private final class Rank implements Communicator {
        private final int rank;

        Rank(int rank) { this.rank = rank; }

        @Override
        public int rank() { return rank; }

        @Override
        public int size() { return size; }

        @Override
        public void allReduce(float[] buf, int offset, int length) {
            checkRange("allReduce", buf, offset, length);
            if (size == 1) return;
            publish(buf, offset, length, OP_ALL_REDUCE);
            checkAgreement("allReduce");
            int chunk = (length + size - 1) / size;
            chunk = (chunk + LINE - 1) / LINE * LINE;
            int from = Math.min(length, rank * chunk);
            int to = Math.min(length, from + chunk);
            if (to > from) reduceSlice(from, to - from);
            barrier.await(rank);
        }

        /** Sums elements [from, from + n) of every rank's buffer in rank order, then copies the sum to all. */
        private void reduceSlice(int from, int n) {
            float[] acc = pubBuf[0];
            int a = pubOff[0] + from;
            for (int q = 1; q < size; q++) {
                float[] b = pubBuf[q];
                int o = pubOff[q] + from;
                for (int i = 0; i < n; i++) acc[a + i] += b[o + i];
            }
            for (int q = 1; q < size; q++) System.arraycopy(acc, a, pubBuf[q], pubOff[q] + from, n);
        }

        @Override
        public void allGather(float[] src, int srcOff, int len, float[] dst, int dstOff) {
            checkRange("allGather source", src, srcOff, len);
            checkRange("allGather destination", dst, dstOff, len * size);
            if (size == 1) {
                System.arraycopy(src, srcOff, dst, dstOff, len);
                return;
            }
            publish(src, srcOff, len, OP_ALL_GATHER);
            checkAgreement("allGather");
            for (int q = 0; q < size; q++) System.arraycopy(pubBuf[q], pubOff[q], dst, dstOff + q * len, len);
            barrier.await(rank);
        }

        @Override
        public void gather(float[] src, int srcOff, int len, float[] dst, int dstOff, int root) {
            checkRange("gather source", src, srcOff, len);
            if (root < 0 || root >= size) throw new IllegalArgumentException("gather root " + root + " outside [0, " + size + ")");
            if (rank == root) checkRange("gather destination", dst, dstOff, len * size);
            if (size == 1) {
                System.arraycopy(src, srcOff, dst, dstOff, len);
                return;
            }
            publish(src, srcOff, len, OP_GATHER - root);
            checkAgreement("gather");
            if (rank == root) {
                for (int q = 0; q < size; q++) System.arraycopy(pubBuf[q], pubOff[q], dst, dstOff + q * len, len);
            }
            barrier.await(rank);
        }

        @Override
        public void broadcast(float[] buf, int off, int len, int root) {
            checkRange("broadcast", buf, off, len);
            if (root < 0 || root >= size) throw new IllegalArgumentException("broadcast root " + root + " outside [0, " + size + ")");
            if (size == 1) return;
            publish(buf, off, len, root);
            checkAgreement("broadcast");
            if (rank != root) System.arraycopy(pubBuf[root], pubOff[root], buf, off, len);
            barrier.await(rank);
        }

        @Override
        public void barrier() {
            barrier.await(rank);
        }

        private void publish(float[] buf, int off, int len, int arg) {
            pubBuf[rank] = buf;
            pubOff[rank] = off;
            pubLen[rank] = len;
            pubArg[rank] = arg;
            barrier.await(rank);
        }

        /**
         * Every rank sees the same published slots, so a mismatch (different lengths, roots or operations:
         * a bug in the caller) is detected by all of them alike; they all throw and none waits forever.
         */
        private void checkAgreement(String op) {
            for (int q = 1; q < size; q++) {
                if (pubLen[q] != pubLen[0] || pubArg[q] != pubArg[0]) {
                    IllegalStateException e = new IllegalStateException(op + ": ranks disagree: rank 0 called with length " + pubLen[0]
                            + " (op/root " + pubArg[0] + "), rank " + q + " with length " + pubLen[q] + " (op/root " + pubArg[q] + ")");
                    barrier.abort(e);
                    throw e;
                }
            }
        }

        private void checkRange(String op, float[] buf, int off, int len) {
            if (closed) throw new IllegalStateException(op + ": communicator group closed");
            if (buf == null || off < 0 || len < 0 || (long) off + len > buf.length) {
                throw new IllegalArgumentException(op + " on rank " + rank + ": range [" + off + ", " + ((long) off + len) + ") outside a buffer of "
                        + (buf == null ? "null" : buf.length));
            }
        }
    }
}
