package dev.gannet.runtime.parallel;

import java.util.concurrent.atomic.AtomicReferenceArray;

/** Runs one body per rank on its own thread and rethrows the first failure; fails if a rank hangs. */
final class RankThreads {
    interface Body {
        void run(Communicator c) throws Exception;
    }

    private RankThreads() {}

    /** @return each rank's exception, or null where the rank finished normally */
    static Throwable[] runCollecting(CommGroup group, long timeoutMillis, Body body) throws InterruptedException {
        int n = group.size();
        AtomicReferenceArray<Throwable> failures = new AtomicReferenceArray<>(n);
        Thread[] threads = new Thread[n];
        for (int r = 0; r < n; r++) {
            Communicator c = group.rank(r);
            int rank = r;
            threads[r] = new Thread(() -> {
                try {
                    body.run(c);
                } catch (Throwable e) {
                    failures.set(rank, e);
                }
            }, "test-rank-" + r);
            threads[r].setDaemon(true);
            threads[r].start();
        }
        long deadline = System.currentTimeMillis() + timeoutMillis;
        for (Thread t : threads) {
            t.join(Math.max(1, deadline - System.currentTimeMillis()));
            if (t.isAlive()) {
                group.abort(new AssertionError("test timed out"));
                throw new AssertionError(t.getName() + " still running after " + timeoutMillis + " ms: deadlock?");
            }
        }
        Throwable[] out = new Throwable[n];
        for (int r = 0; r < n; r++) out[r] = failures.get(r);
        return out;
    }

    static void run(CommGroup group, long timeoutMillis, Body body) throws InterruptedException {
        for (Throwable t : runCollecting(group, timeoutMillis, body)) {
            if (t != null) throw new AssertionError("a rank failed: " + t, t);
        }
    }
}
