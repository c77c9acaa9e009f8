package dev.gannet.loadtest;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The end-of-run table printed on stdout. Latencies in ms. */
public final class TextSummary {

    static final String[] HEADER = {"server", "load", "reqs", "ok", "err%", "req/s", "out tok/s", "tot tok/s",
            "TTFT ms p50/p90/p95/p99", "ITL ms p50/p90/p95/p99", "TPOT ms p50/p90/p95/p99",
            "E2E ms p50/p90/p95/p99", "goodput", "goodput/s"};

    private TextSummary() {
    }

    public static String render(RunReport report) {
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADER);
        rows.addAll(pointRows(report));
        StringBuilder sb = new StringBuilder();
        table(sb, rows);
        for (PointSummary p : report.points()) {
            if (!p.errors().isEmpty()) {
                sb.append("errors ").append(p.target()).append(' ').append(p.loadLabel()).append(": ");
                for (Map.Entry<String, Integer> e : p.errors().entrySet()) {
                    sb.append(e.getKey()).append('=').append(e.getValue()).append(' ');
                }
                sb.append('\n');
            }
        }
        if (report.comparison() != null) {
            sb.append('\n').append(report.comparison().ratio()).append('\n');
            List<String[]> cmp = new ArrayList<>();
            cmp.add(COMPARISON_HEADER);
            cmp.addAll(comparisonRows(report.comparison()));
            table(sb, cmp);
        }
        sb.append("prompt tokens counted by: ").append(report.tokenCounting()).append('\n');
        return sb.toString();
    }

    static final String[] COMPARISON_HEADER = {"load", "out tok/s", "req/s", "TTFT p50", "TTFT p99", "ITL p50",
            "ITL p99", "TPOT p50", "E2E p50"};

    static List<String[]> comparisonRows(RunReport.Comparison c) {
        List<String[]> cmp = new ArrayList<>();
        for (RunReport.Ratios r : c.points()) {
            cmp.add(new String[] {PointSummary.loadLabel(r.mode(), r.load()), x(r.outputTokensPerS()),
                    x(r.requestsPerS()), x(r.ttftP50()), x(r.ttftP99()), x(r.itlP50()), x(r.itlP99()),
                    x(r.tpotP50()), x(r.e2eP50())});
        }
        return cmp;
    }

    static List<String[]> pointRows(RunReport report) {
        List<String[]> rows = new ArrayList<>();
        for (PointSummary p : report.points()) {
            rows.add(new String[] {p.target(), p.loadLabel(), Integer.toString(p.requests()),
                    Integer.toString(p.succeeded()), f1(100 * p.errorRate()), f1(p.requestsPerS()),
                    f1(p.outputTokensPerS()), f1(p.totalTokensPerS()), quantiles(p.ttftMs()), quantiles(p.itlMs()),
                    quantiles(p.tpotMs()), quantiles(p.e2eMs()),
                    p.goodput() == null ? "-" : f1(100 * p.goodput().share()) + "%",
                    p.goodput() == null ? "-" : f1(p.goodput().ratePerS())});
        }
        return rows;
    }

    private static void table(StringBuilder sb, List<String[]> rows) {
        int[] width = new int[rows.getFirst().length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                String cell = i < 2 ? pad(r[i], width[i], false) : pad(r[i], width[i], true);
                sb.append(cell).append(i + 1 < r.length ? "  " : "\n");
            }
        }
    }

    private static String pad(String s, int w, boolean right) {
        String fill = " ".repeat(w - s.length());
        return right ? fill + s : s + fill;
    }

    private static String quantiles(Percentiles p) {
        return p == null ? "-" : f1(p.p50()) + "/" + f1(p.p90()) + "/" + f1(p.p95()) + "/" + f1(p.p99());
    }

    static String f1(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String x(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.3fx", v);
    }
}
