package dev.gannet.loadtest;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

import java.util.Map;
import java.util.TreeMap;

/** Reduces the raw results of one point to a {@link PointSummary}. */
public final class PointStats {

    /** Service-level objectives for goodput; either may be null (not applied). */
    public record Slo(Double ttftMs, Double itlMs) {
        public Slo {
            if ((ttftMs != null && !(ttftMs > 0)) || (itlMs != null && !(itlMs > 0))) {
                throw new IllegalArgumentException("SLOs must be positive milliseconds");
            }
        }

        public boolean any() {
            return ttftMs != null || itlMs != null;
        }
    }

    private static final long MAX_MICROS = 3_600_000_000L; // one hour
    private static final int BINS = 40;

    private PointStats() {
    }

    public static PointSummary summarize(String target, String mode, double load, LoadRunner.PointRun run, Slo slo) {
        Histogram ttft = histogram();
        Histogram itl = histogram();
        Histogram tpot = histogram();
        Histogram e2e = histogram();
        Map<String, Integer> errors = new TreeMap<>();
        int ok = 0;
        int met = 0;
        int retryAfter = 0;
        long outTokens = 0;
        long promptTokens = 0;
        boolean allUsage = true;
        for (RequestResult r : run.results()) {
            if (r.retryAfterMs() >= 0) {
                retryAfter++;
            }
            if (!r.ok()) {
                errors.merge(r.error(), 1, Integer::sum);
                continue;
            }
            ok++;
            outTokens += r.outputTokens();
            promptTokens += Math.max(0, r.promptTokens());
            allUsage &= r.usageReported();
            record(ttft, r.ttftNanos());
            record(e2e, r.e2eNanos());
            record(tpot, r.tpotNanos());
            long[] t = r.tokenNanos();
            for (int i = 1; i < t.length; i++) {
                record(itl, t[i] - t[i - 1]);
            }
            if (meets(r, slo)) {
                met++;
            }
        }
        int n = run.results().size();
        double seconds = run.wallNanos() / 1e9;
        PointSummary.Goodput goodput = slo != null && slo.any()
                ? new PointSummary.Goodput(slo.ttftMs(), slo.itlMs(), met, n == 0 ? 0 : (double) met / n,
                rate(met, seconds))
                : null;
        return new PointSummary(target, mode, load, n, ok, errors, n == 0 ? 0 : (double) (n - ok) / n,
                retryAfter, seconds, rate(ok, seconds), rate(outTokens, seconds),
                rate(outTokens + promptTokens, seconds), outTokens, promptTokens, ok > 0 && allUsage,
                Percentiles.ofMicros(ttft), Percentiles.ofMicros(itl), Percentiles.ofMicros(tpot),
                Percentiles.ofMicros(e2e), goodput, distribution(itl));
    }

    /** A request meets the SLOs when its TTFT and every one of its inter-token gaps are within them. */
    static boolean meets(RequestResult r, Slo slo) {
        if (slo == null || !r.ok()) {
            return false;
        }
        boolean ttftOk = slo.ttftMs() == null || r.ttftNanos() / 1e6 <= slo.ttftMs();
        boolean itlOk = slo.itlMs() == null || r.maxGapNanos() / 1e6 <= slo.itlMs();
        return ttftOk && itlOk;
    }

    private static Histogram histogram() {
        return new Histogram(1, MAX_MICROS, 3);
    }

    private static void record(Histogram h, long nanos) {
        if (nanos >= 0) {
            h.recordValue(Math.min(MAX_MICROS, Math.max(1, nanos / 1000)));
        }
    }

    private static double rate(double count, double seconds) {
        return seconds > 0 ? count / seconds : 0;
    }

    /** Equal bins from 0 to about the 99.9th percentile; the last bin takes the tail. */
    static PointSummary.Distribution distribution(Histogram itlMicros) {
        if (itlMicros.getTotalCount() == 0) {
            return new PointSummary.Distribution(0, new double[0], new long[0]);
        }
        double top = Math.max(0.001, itlMicros.getValueAtPercentile(99.9) / 1000.0);
        double width = niceWidth(top / BINS);
        int bins = (int) Math.min(BINS + 1, Math.ceil(top / width) + 1);
        double[] starts = new double[bins];
        long[] counts = new long[bins];
        for (int i = 0; i < bins; i++) {
            starts[i] = i * width;
        }
        for (HistogramIterationValue v : itlMicros.recordedValues()) {
            int bin = (int) Math.min(bins - 1, (v.getValueIteratedTo() / 1000.0) / width);
            counts[bin] += v.getCountAtValueIteratedTo();
        }
        return new PointSummary.Distribution(width, starts, counts);
    }

    /** Rounds a bin width up to 1, 2 or 5 times a power of ten, so bin edges read well. */
    static double niceWidth(double raw) {
        if (!(raw > 0) || Double.isInfinite(raw)) {
            return 1;
        }
        double pow = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * pow >= raw) {
                return m * pow;
            }
        }
        return 10 * pow;
    }
}
