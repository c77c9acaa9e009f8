package dev.gannet.loadtest;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** B/A ratios between two servers run on the same workload, point by point. */
public final class Comparisons {

    public static final String RATIO = "B/A: the figure of B (--compare) divided by the figure of A (--url);"
            + " for tokens/s and requests/s above 1 means B is faster, for latencies above 1 means B is slower";

    private Comparisons() {
    }

    public static RunReport.Comparison of(List<PointSummary> points) {
        List<RunReport.Ratios> out = new ArrayList<>();
        for (PointSummary a : points) {
            if (!a.target().equals("A")) {
                continue;
            }
            for (PointSummary b : points) {
                if (b.target().equals("B") && b.mode().equals(a.mode()) && b.load() == a.load()) {
                    out.add(ratios(a, b));
                }
            }
        }
        return new RunReport.Comparison(RATIO, out);
    }

    static RunReport.Ratios ratios(PointSummary a, PointSummary b) {
        return new RunReport.Ratios(a.mode(), a.load(),
                ratio(b.outputTokensPerS(), a.outputTokensPerS()), ratio(b.requestsPerS(), a.requestsPerS()),
                pct(a, b, PointSummary::ttftMs, Percentiles::p50), pct(a, b, PointSummary::ttftMs, Percentiles::p99),
                pct(a, b, PointSummary::itlMs, Percentiles::p50), pct(a, b, PointSummary::itlMs, Percentiles::p99),
                pct(a, b, PointSummary::tpotMs, Percentiles::p50), pct(a, b, PointSummary::e2eMs, Percentiles::p50),
                ratio(b.errorRate(), a.errorRate()),
                a.goodput() == null || b.goodput() == null ? null
                        : ratio(b.goodput().ratePerS(), a.goodput().ratePerS()));
    }

    private static Double pct(PointSummary a, PointSummary b, Function<PointSummary, Percentiles> metric,
                              Function<Percentiles, Double> which) {
        Percentiles pa = metric.apply(a);
        Percentiles pb = metric.apply(b);
        return pa == null || pb == null ? null : ratio(which.apply(pb), which.apply(pa));
    }

    static Double ratio(double b, double a) {
        return a == 0 ? null : b / a;
    }
}
