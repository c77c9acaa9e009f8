package dev.gannet.runtime.parallel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

/**
 * A reusable barrier for a fixed set of parties, each with its own index: arriving threads spin briefly
 * (a tensor-parallel step has the ranks arrive within microseconds of each other when they have cores),
 * then park until the last arrival bumps the generation. Allocates nothing per call. The last arrival's
 * write of {@code generation} happens-after every party's arrival, so plain writes made before
 * {@link #await} are visible to every party after it; the collectives rely on that.
 * {@link #abort} wakes every waiter with an exception, now and in every later call. Public for the GPU
 * tensor-parallel group ({@code dev.gannet.runtime.cuda.CudaTensorParallel}), which hands steps to its rank threads the same way.
 */
public final class SpinParkBarrier {
    private final int parties;
    private final int spins;
    private final AtomicInteger arrived = new AtomicInteger();
    private final AtomicReferenceArray<Thread> sleepers; // [party] thread parked in the current generation, or null
    private volatile int generation;
    private volatile Throwable abortCause;

    /**
     * @param spins polls of the generation before parking; 0 parks at once (right when parties outnumber cores)
     */
    public SpinParkBarrier(int parties, int spins) {
        if (parties < 1) throw new IllegalArgumentException("parties " + parties);
        if (spins < 0) throw new IllegalArgumentException("spins " + spins);
        this.parties = parties;
        this.spins = spins;
        this.sleepers = new AtomicReferenceArray<>(parties);
    }

    public int parties() { return parties; }

    /** Returns once all parties have called await for this generation; {@code party} is the caller's index. */
    public void await(int party) {
        int g = generation;
        checkAborted();
        if (arrived.incrementAndGet() == parties) {
            arrived.set(0);       // before the generation bump: the next arrivals only come after seeing it
            generation = g + 1;
            wakeAll();
            return;
        }
        for (int i = 0; i < spins; i++) {
            if (generation != g) return;
            Thread.onSpinWait();
        }
        // Dekker-style hand-off: we publish ourselves then re-read the generation; the releaser bumps the
        // generation then takes the sleepers, so at least one of us sees the other. We publish again after
        // every wake-up: a releaser of an earlier generation, running late, may have taken (and cleared)
        // our slot for this one, and its unpark was only a spurious wake-up.
        Thread me = Thread.currentThread();
        try {
            while (true) {
                sleepers.set(party, me);
                if (generation != g) return;
                checkAborted();
                if (Thread.interrupted()) {
                    abort(new InterruptedException("interrupted in a tensor-parallel barrier"));
                    checkAborted();
                }
                LockSupport.park(this);
            }
        } finally {
            sleepers.set(party, null);
        }
    }

    /** Breaks the barrier for good: waiting and later callers throw IllegalStateException with this cause. */
    public void abort(Throwable cause) {
        if (abortCause == null) abortCause = cause;
        wakeAll();
    }

    /** Clears an abort and any half-counted arrival; only while no party is inside {@link #await}. */
    public void reset() {
        arrived.set(0);
        for (int i = 0; i < parties; i++) sleepers.set(i, null);
        abortCause = null;
    }

    private void wakeAll() {
        for (int i = 0; i < parties; i++) {
            Thread t = sleepers.getAndSet(i, null);
            if (t != null) LockSupport.unpark(t);
        }
    }

    private void checkAborted() {
        Throwable c = abortCause;
        if (c != null) throw new IllegalStateException("tensor-parallel group aborted: " + c, c);
    }
}
