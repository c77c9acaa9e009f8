package dev.gannet.runtime.serving;

import dev.gannet.runtime.constraint.ConstraintMatcher;
import dev.gannet.runtime.engine.SchedulerOutput;
import java.util.concurrent.Semaphore;

/**
 * Fills a step's structured-output masks on its own thread while the engine thread runs the forward pass, so a mask
 * (a copy of a cached token set when warm, up to ~1 ms when a schema's position is seen for the first time) adds
 * nothing to the step as long as it is shorter than the pass. On a GPU the engine thread only waits for the device
 * meanwhile; on the CPU this thread shares the cores with the compute pool, so there the overlap saves little.
 *
 * <p>Threads: {@link #start} and {@link #await} are called by the engine thread, in pairs; the matchers are only
 * read here (the engine thread accepts tokens after {@code await}), and the semaphores order the hand-over both
 * ways. The masks are reused from step to step: nothing is allocated per token.
 */
final class MaskFiller implements AutoCloseable {
    private final Semaphore go = new Semaphore(0);
    private final Semaphore done = new Semaphore(0);
    private final Thread thread;
    private long[][] masks = new long[0][]; // (sampled rows)(mask words): allowed-token bits of this step's rows
    private SchedulerOutput step;
    private RuntimeException failure;
    private volatile boolean closed;

    MaskFiller() {
        thread = Thread.ofPlatform().daemon().name("gannet-constraint-masks").start(this::loop);
    }

    /** Starts filling the mask of every constrained sampled row of {@code o}. */
    void start(SchedulerOutput o) {
        int rows = o.logitRows().length;
        if (masks.length < rows) {
            long[][] grown = new long[Math.max(rows, 2 * masks.length)][];
            System.arraycopy(masks, 0, grown, 0, masks.length);
            masks = grown;
        }
        step = o;
        failure = null;
        go.release();
    }

    /**
     * Waits for the masks of the step given to {@link #start}; row {@code j} of {@code logitRows} then has its mask in
     * {@link #mask(int)} if it is constrained.
     */
    void await() {
        done.acquireUninterruptibly();
        step = null;
        if (failure != null) throw failure;
    }

    /** The mask of sampled row {@code j} after {@link #await}. */
    long[] mask(int j) {
        return masks[j];
    }

    private void loop() {
        while (true) {
            go.acquireUninterruptibly();
            if (closed) return;
            try {
                fill(step);
            } catch (RuntimeException e) {
                failure = e;
            } finally {
                done.release();
            }
        }
    }

    private void fill(SchedulerOutput o) {
        int[] rows = o.logitRows();
        for (int j = 0; j < rows.length; j++) {
            ConstraintMatcher m = o.constraint(rows[j]);
            if (m == null) continue;
            int words = m.constraint().vocabulary().maskWords();
            if (masks[j] == null || masks[j].length < words) masks[j] = new long[words];
            m.fillMask(masks[j]);
        }
    }

    @Override
    public void close() {
        closed = true;
        go.release();
    }
}
