package dev.gannet.loadtest;

import java.util.SplittableRandom;

/**
 * Gaps between arrivals of a Poisson process: independent exponential gaps with mean 1/rate.
 * Seeded, so an open-loop run sends at the same offsets every time.
 */
public final class PoissonArrivals {

    private final double ratePerSecond;
    private final SplittableRandom rnd;

    public PoissonArrivals(double ratePerSecond, long seed) {
        if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
            throw new IllegalArgumentException("arrival rate must be a positive number of requests/s, got "
                    + ratePerSecond);
        }
        this.ratePerSecond = ratePerSecond;
        this.rnd = new SplittableRandom(seed);
    }

    public double ratePerSecond() {
        return ratePerSecond;
    }

    /** The next gap in nanoseconds: -ln(U) / rate with U uniform in (0, 1]. */
    public long nextGapNanos() {
        double u = 1.0 - rnd.nextDouble();
        return Math.round(-Math.log(u) / ratePerSecond * 1e9);
    }
}
