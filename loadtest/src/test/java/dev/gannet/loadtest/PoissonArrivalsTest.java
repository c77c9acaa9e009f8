package dev.gannet.loadtest;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The arrival generator, tested statistically on generated gaps (no waiting). */
class PoissonArrivalsTest {

    private static final int N = 50_000;

    @Test
    void gapsAreExponentialWithTheRequestedMean() {
        double rate = 4.0;
        PoissonArrivals a = new PoissonArrivals(rate, 7);
        double sum = 0;
        double sumSq = 0;
        int belowMean = 0;
        for (int i = 0; i < N; i++) {
            double g = a.nextGapNanos() / 1e9;
            sum += g;
            sumSq += g * g;
            if (g < 1 / rate) {
                belowMean++;
            }
        }
        double mean = sum / N;
        double sd = Math.sqrt(sumSq / N - mean * mean);
        assertEquals(1 / rate, mean, 0.02 / rate, "mean gap");
        assertEquals(1.0, sd / mean, 0.03, "coefficient of variation of an exponential is 1");
        // P(gap < mean) = 1 - 1/e for an exponential.
        assertEquals(1 - Math.exp(-1), (double) belowMean / N, 0.01, "share of gaps below the mean");
    }

    @Test
    void countsPerSecondAreDispersedLikePoisson() {
        double rate = 8.0;
        PoissonArrivals a = new PoissonArrivals(rate, 11);
        int seconds = 5_000;
        int[] counts = new int[seconds];
        long t = 0;
        while (true) {
            t += a.nextGapNanos();
            int s = (int) (t / 1_000_000_000L);
            if (s >= seconds) {
                break;
            }
            counts[s]++;
        }
        double mean = 0;
        for (int c : counts) {
            mean += c;
        }
        mean /= seconds;
        double var = 0;
        for (int c : counts) {
            var += (c - mean) * (c - mean);
        }
        var /= seconds - 1;
        assertEquals(rate, mean, 0.03 * rate, "arrivals per second");
        assertEquals(1.0, var / mean, 0.08, "Poisson counts have variance equal to their mean");
    }

    @Test
    void theSameSeedGivesTheSameArrivals() {
        PoissonArrivals a = new PoissonArrivals(2, 42);
        PoissonArrivals b = new PoissonArrivals(2, 42);
        PoissonArrivals c = new PoissonArrivals(2, 43);
        boolean differs = false;
        for (int i = 0; i < 100; i++) {
            long ga = a.nextGapNanos();
            assertEquals(ga, b.nextGapNanos());
            differs |= ga != c.nextGapNanos();
        }
        assertTrue(differs, "another seed gives other gaps");
    }

    @Test
    void rejectsNonPositiveRates() {
        assertThrows(IllegalArgumentException.class, () -> new PoissonArrivals(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new PoissonArrivals(-3, 1));
        assertThrows(IllegalArgumentException.class, () -> new PoissonArrivals(Double.NaN, 1));
    }
}
