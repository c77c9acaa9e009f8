package dev.gannet.loadtest;

import org.HdrHistogram.Histogram;

/** Latency percentiles in milliseconds, read from an HdrHistogram recorded in microseconds. */
public record Percentiles(double p50, double p90, double p95, double p99, double mean, double max, long count) {

    /** Null when the histogram is empty (no sample: the figure is absent, not zero). */
    public static Percentiles ofMicros(Histogram h) {
        if (h.getTotalCount() == 0) {
            return null;
        }
        return new Percentiles(ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)),
                ms(h.getValueAtPercentile(95)), ms(h.getValueAtPercentile(99)), h.getMean() / 1000.0,
                ms(h.getMaxValue()), h.getTotalCount());
    }

    private static double ms(long micros) {
        return micros / 1000.0;
    }
}
