package dev.gannet.router.replica;

import java.time.Duration;

/**
 * Passive ejection of one replica. Closed: requests flow, consecutive failures are counted; at
 * {@code threshold} it opens for the ejection time, doubling with each opening in a row (at most 8x).
 * When the time is up it is half-open: one trial request may go; success closes it, failure opens it
 * again. Thread-safe (event loops of the router share it); every method is a few field updates.
 */
public final class CircuitBreaker {
    /** What the breaker allows now. */
    public enum State { CLOSED, OPEN, HALF_OPEN }

    private final int threshold;
    private final long ejectNanos;
    private int failures;
    private int openings;
    private long openUntil;
    private boolean open;
    private boolean trialInFlight;

    public CircuitBreaker(int threshold, Duration ejectFor) {
        if (threshold < 1) throw new IllegalArgumentException("threshold must be >= 1, got " + threshold);
        if (ejectFor.isNegative() || ejectFor.isZero()) throw new IllegalArgumentException("ejection time must be > 0");
        this.threshold = threshold;
        this.ejectNanos = ejectFor.toNanos();
    }

    public synchronized State state(long nowNanos) {
        if (!open) return State.CLOSED;
        return nowNanos - openUntil < 0 ? State.OPEN : State.HALF_OPEN;
    }

    /** True when a new request may be sent: closed, or half-open with no trial out. */
    public synchronized boolean permits(long nowNanos) {
        State s = state(nowNanos);
        return s == State.CLOSED || (s == State.HALF_OPEN && !trialInFlight);
    }

    /** A request was sent; in the half-open state it is the trial. */
    public synchronized void onDispatch(long nowNanos) {
        if (state(nowNanos) == State.HALF_OPEN) trialInFlight = true;
    }

    public synchronized void onSuccess() {
        failures = 0;
        openings = 0;
        open = false;
        trialInFlight = false;
    }

    /** Counts a failure; returns true when this failure ejected the replica (the breaker opened now). */
    public synchronized boolean onFailure(long nowNanos) {
        boolean wasTrial = open && trialInFlight;
        trialInFlight = false;
        if (open && !wasTrial) return false;  // already ejected: late failures of requests sent before
        failures++;
        if (!wasTrial && failures < threshold) return false;
        openings = Math.min(openings + 1, 4);
        open = true;
        openUntil = nowNanos + (ejectNanos << (openings - 1));
        return true;
    }

    /** The request ended neither way (client left): frees the half-open trial slot. */
    public synchronized void onCancel() {
        trialInFlight = false;
    }
}
