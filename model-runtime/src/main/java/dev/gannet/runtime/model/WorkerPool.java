package dev.gannet.runtime.model;

import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A fixed set of daemon threads that run one task together: {@link #run} hands the task to every
 * worker (the calling thread is worker 0) and returns when all are done. Tasks are long-lived objects
 * whose fields describe the current job, so running one allocates nothing but barrier bookkeeping.
 * Only one thread may call {@link #run} at a time.
 */
final class WorkerPool implements AutoCloseable {
    interface Task {
        /** Does worker {@code worker}'s share of the job; worker is in [0, threads). */
        void run(int worker);
    }

    private final int threads;
    private final Thread[] workers;
    private final CyclicBarrier start;
    private final CyclicBarrier done;
    private volatile Task task;
    private volatile Throwable failure;
    private volatile boolean closed;

    WorkerPool(int threads, String name) {
        if (threads <= 0) throw new IllegalArgumentException("threads " + threads);
        this.threads = threads;
        this.start = new CyclicBarrier(threads);
        this.done = new CyclicBarrier(threads);
        this.workers = new Thread[threads - 1];
        for (int i = 1; i < threads; i++) {
            int id = i;
            Thread th = new Thread(() -> loop(id), name + "-" + i);
            th.setDaemon(true);
            workers[i - 1] = th;
            th.start();
        }
    }

    int threads() { return threads; }

    void run(Task t) {
        if (closed) throw new IllegalStateException("worker pool closed");
        if (threads == 1) {
            t.run(0);
            return;
        }
        task = t;
        failure = null;
        await(start);
        try {
            t.run(0);
        } finally {
            await(done);
            task = null;
        }
        Throwable f = failure;
        if (f instanceof RuntimeException r) throw r;
        if (f instanceof Error e) throw e;
    }

    private void loop(int id) {
        while (true) {
            if (!awaitQuietly(start) || closed) return;
            try {
                task.run(id);
            } catch (Throwable e) {
                failure = e;
            }
            if (!awaitQuietly(done)) return;
        }
    }

    private static void await(CyclicBarrier b) {
        if (!awaitQuietly(b)) throw new IllegalStateException("worker pool broken");
    }

    private static boolean awaitQuietly(CyclicBarrier b) {
        try {
            b.await();
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (BrokenBarrierException e) {
            return false;
        }
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (threads == 1) return;
        // Idle workers wait at the start barrier: meeting them there lets each see "closed" and exit.
        try {
            start.await(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            start.reset();
        } catch (BrokenBarrierException | TimeoutException e) {
            start.reset(); // wakes any stragglers with BrokenBarrierException; they exit too
        }
    }
}
