package dev.gannet.runtime.kernel;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of platform threads that run one {@link Task} at a time, split by worker index.
 * The calling thread is worker 0, so a pool of n threads starts n - 1. A call costs no allocation:
 * the task is a long-lived object whose fields the caller sets before {@link #run}.
 *
 * <p>Thread rules: one caller at a time (the engine thread that owns the kernels); {@code run} is
 * not reentrant. Idle workers spin for {@link #SPIN_NANOS} (the next matmul of a forward pass
 * usually comes within microseconds), then park; the caller unparks only parked workers.
 */
public final class ComputePool implements AutoCloseable {
    /** Work for every worker: worker {@code index} of {@code count} does its share. */
    @FunctionalInterface
    public interface Task {
        void run(int index, int count);
    }

    static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(50);

    private final int size;
    private final Worker[] workers; // workers 1..size-1; index 0 is the caller
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile Task task;
    private volatile int generation;
    private volatile boolean closed;
    private volatile Throwable failure;

    /** A pool of {@code threads} (>= 1) including the caller. */
    public ComputePool(int threads) {
        if (threads < 1) throw new IllegalArgumentException("compute threads must be >= 1, got " + threads);
        this.size = threads;
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1);
            workers[i].thread.start();
        }
    }

    /** Threads that compute, the caller included. */
    public int size() {
        return size;
    }

    /** Runs {@code t} on every worker and returns when all are done; rethrows a worker's failure. */
    public void run(Task t) {
        if (closed) throw new IllegalStateException("compute pool is closed");
        if (!busy.compareAndSet(false, true)) {
            throw new IllegalStateException("compute pool is already running a task: one caller at a time, no nesting");
        }
        try {
            runExclusive(t);
        } finally {
            busy.set(false);
        }
    }

    private void runExclusive(Task t) {
        if (workers.length == 0) {
            t.run(0, 1);
            return;
        }
        task = t;
        failure = null;
        pending.set(workers.length);
        generation = generation + 1; // single writer: the caller
        for (Worker w : workers) {
            if (w.parked) LockSupport.unpark(w.thread);
        }
        Throwable mine = null;
        try {
            t.run(0, size);
        } catch (Throwable e) {
            mine = e;
        }
        awaitWorkers();
        task = null;
        Throwable theirs = failure;
        if (mine != null) rethrow(mine);
        if (theirs != null) rethrow(theirs);
    }

    private void awaitWorkers() {
        long yieldAfter = System.nanoTime() + SPIN_NANOS;
        boolean spinning = true;
        int spins = 0;
        while (pending.get() != 0) {
            if (spinning && ((++spins & 63) != 0 || System.nanoTime() < yieldAfter)) {
                Thread.onSpinWait();
            } else {
                spinning = false; // on a busy machine the worker may be waiting for our core
                Thread.yield();
            }
        }
    }

    private static void rethrow(Throwable e) {
        if (e instanceof RuntimeException re) throw re;
        if (e instanceof Error er) throw er;
        throw new IllegalStateException("compute task failed", e);
    }

    @Override
    public void close() {
        closed = true;
        for (Worker w : workers) LockSupport.unpark(w.thread);
        for (Worker w : workers) {
            try {
                w.thread.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private final class Worker implements Runnable {
        final int index;
        final Thread thread;
        volatile boolean parked;

        Worker(int index) {
            this.index = index;
            this.thread = Thread.ofPlatform().daemon().name("gannet-compute-" + index).unstarted(this);
        }

        @Override
        public void run() {
            int seen = 0; // not "generation": a run() may already have bumped it before this thread started
            while (true) {
                int g = awaitGeneration(seen);
                if (g == seen) return; // closed
                seen = g;
                try {
                    task.run(index, size);
                } catch (Throwable e) {
                    failure = e;
                }
                pending.decrementAndGet();
            }
        }

        /** Spins, then parks, until the generation moves past {@code seen}; returns {@code seen} once closed. */
        private int awaitGeneration(int seen) {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            int spins = 0;
            while (true) {
                int g = generation;
                if (g != seen) return g;
                if (closed) return seen;
                if ((++spins & 63) != 0 || System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                    continue;
                }
                // Publish "parked" before the last check; run() bumps generation before reading it.
                parked = true;
                if (generation == seen && !closed) LockSupport.park(this);
                parked = false;
            }
        }
    }
}
