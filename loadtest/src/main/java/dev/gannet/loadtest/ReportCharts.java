package dev.gannet.loadtest;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/** The report's charts, built from the point summaries (one series per server, or per percentile). */
public final class ReportCharts {

    private ReportCharts() {
    }

    public static List<ChartSpec> build(RunReport report) {
        List<PointSummary> points = report.points();
        if (points.isEmpty()) {
            return List.of();
        }
        String mode = points.getFirst().mode();
        String x = mode.equals("rate") ? "offered load (requests/s, Poisson)" : "concurrency (requests in flight)";
        List<String> targets = report.targets().stream().map(RunReport.Target::label).toList();
        List<ChartSpec> charts = new ArrayList<>();
        List<ChartSpec.Series> tput = new ArrayList<>();
        List<ChartSpec.Series> reqs = new ArrayList<>();
        List<ChartSpec.Series> ttft = new ArrayList<>();
        List<ChartSpec.Series> itl = new ArrayList<>();
        for (String t : targets) {
            List<PointSummary> mine = points.stream().filter(p -> p.target().equals(t)).toList();
            tput.add(series(t + " output", mine, PointSummary::outputTokensPerS));
            tput.add(series(t + " total", mine, PointSummary::totalTokensPerS));
            reqs.add(series(t + " requests/s", mine, PointSummary::requestsPerS));
            if (mine.stream().anyMatch(p -> p.goodput() != null)) {
                reqs.add(series(t + " goodput/s", mine, p -> p.goodput() == null ? Double.NaN : p.goodput().ratePerS()));
            }
            percentileSeries(ttft, t, mine, true);
            percentileSeries(itl, t, mine, false);
        }
        charts.add(new ChartSpec("throughput", "Throughput vs load", x, "tokens/s", ChartSpec.Kind.LINE, 0, tput));
        charts.add(new ChartSpec("requests", "Requests/s (and goodput) vs load", x, "requests/s",
                ChartSpec.Kind.LINE, 0, reqs));
        charts.add(new ChartSpec("ttft", "Time to first token vs load", x, "ms", ChartSpec.Kind.LINE, 0, ttft));
        charts.add(new ChartSpec("itl", "Inter-token latency vs load", x, "ms", ChartSpec.Kind.LINE, 0, itl));
        for (PointSummary p : points) {
            PointSummary.Distribution d = p.itlDistribution();
            if (d.counts().length == 0) {
                continue;
            }
            double total = 0;
            for (long c : d.counts()) {
                total += c;
            }
            double[] centres = new double[d.counts().length];
            double[] share = new double[d.counts().length];
            for (int i = 0; i < centres.length; i++) {
                centres[i] = d.binStartMs()[i] + d.binWidthMs() / 2;
                share[i] = 100.0 * d.counts()[i] / total;
            }
            String id = "itl-hist-" + p.target() + "-" + (p.mode().equals("rate") ? "r" : "c")
                    + SvgChart.number(p.load());
            charts.add(new ChartSpec(id, "ITL distribution, " + p.target() + " at " + p.loadLabel()
                    + " (last bin: tail)", "inter-token gap (ms)", "% of gaps", ChartSpec.Kind.BAR,
                    d.binWidthMs(), List.of(new ChartSpec.Series(p.target() + " " + p.loadLabel(), centres, share))));
        }
        return charts;
    }

    private static void percentileSeries(List<ChartSpec.Series> out, String t, List<PointSummary> mine, boolean ttft) {
        out.add(series(t + " p50", mine, p -> pick(ttft ? p.ttftMs() : p.itlMs(), 50)));
        out.add(series(t + " p90", mine, p -> pick(ttft ? p.ttftMs() : p.itlMs(), 90)));
        out.add(series(t + " p99", mine, p -> pick(ttft ? p.ttftMs() : p.itlMs(), 99)));
    }

    private static double pick(Percentiles p, int which) {
        if (p == null) {
            return Double.NaN;
        }
        return switch (which) {
            case 50 -> p.p50();
            case 90 -> p.p90();
            default -> p.p99();
        };
    }

    private static ChartSpec.Series series(String name, List<PointSummary> points, ToDoubleFunction<PointSummary> y) {
        double[] xs = new double[points.size()];
        double[] ys = new double[points.size()];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = points.get(i).load();
            ys[i] = y.applyAsDouble(points.get(i));
        }
        return new ChartSpec.Series(name, xs, ys);
    }
}
