package dev.gannet.loadtest;

import java.util.Locale;

/** Draws a {@link ChartSpec} as a self-contained inline SVG element (no xmlns needed inside HTML5). */
public final class SvgChart {

    static final String[] PALETTE = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
            "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"};
    private static final int W = 680;
    private static final int H = 380;
    private static final int LEFT = 72;
    private static final int RIGHT = 170;
    private static final int TOP = 36;
    private static final int BOTTOM = 52;

    private SvgChart() {
    }

    public static String render(ChartSpec c) {
        double[] xr = range(c, true);
        double[] yr = range(c, false);
        double yMax = niceMax(yr[1]);
        double xMin = c.kind() == ChartSpec.Kind.BAR ? xr[0] - c.barWidth() / 2 : Math.min(0, xr[0]);
        double xMax = c.kind() == ChartSpec.Kind.BAR ? xr[1] + c.barWidth() / 2 : niceMax(xr[1]);
        Frame f = new Frame(xMin, xMax == xMin ? xMin + 1 : xMax, 0, yMax);
        StringBuilder sb = new StringBuilder(8192);
        sb.append(String.format(Locale.ROOT, "<svg role=\"img\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\">",
                W, H, W, H));
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>");
        text(sb, W / 2.0, 20, "middle", "font-weight:bold", c.title());
        axes(sb, f, c);
        for (int s = 0; s < c.series().size(); s++) {
            String color = PALETTE[s % PALETTE.length];
            ChartSpec.Series series = c.series().get(s);
            if (c.kind() == ChartSpec.Kind.BAR) {
                bars(sb, f, series, c.barWidth(), color);
            } else {
                line(sb, f, series, color);
            }
            double ly = TOP + 10 + s * 18;
            sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%s\"/>",
                    W - RIGHT + 14, ly - 10, color));
            text(sb, W - RIGHT + 32, ly, "start", "", series.name());
        }
        return sb.append("</svg>").toString();
    }

    private record Frame(double x0, double x1, double y0, double y1) {
        double px(double x) {
            return LEFT + (x - x0) / (x1 - x0) * (W - LEFT - RIGHT);
        }

        double py(double y) {
            return H - BOTTOM - (y - y0) / (y1 - y0) * (H - TOP - BOTTOM);
        }
    }

    private static void axes(StringBuilder sb, Frame f, ChartSpec c) {
        double yStep = PointStats.niceWidth((f.y1 - f.y0) / 5);
        for (double y = f.y0; y <= f.y1 + yStep / 1000; y += yStep) {
            double py = f.py(y);
            sb.append(String.format(Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>", LEFT, py, W - RIGHT, py));
            text(sb, LEFT - 6, py + 4, "end", "", number(y));
        }
        double xStep = PointStats.niceWidth((f.x1 - f.x0) / 6);
        for (double x = Math.ceil(f.x0 / xStep) * xStep; x <= f.x1 + xStep / 1000; x += xStep) {
            text(sb, f.px(x), H - BOTTOM + 16, "middle", "", number(x));
        }
        sb.append(String.format(Locale.ROOT,
                "<polyline points=\"%d,%d %d,%d %d,%d\" fill=\"none\" stroke=\"#333\"/>",
                LEFT, TOP, LEFT, H - BOTTOM, W - RIGHT, H - BOTTOM));
        text(sb, (LEFT + W - RIGHT) / 2.0, H - 14, "middle", "", c.xLabel());
        sb.append(String.format(Locale.ROOT,
                "<text x=\"16\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"12\" transform=\"rotate(-90 16 %.1f)\">%s</text>",
                (TOP + H - BOTTOM) / 2.0, (TOP + H - BOTTOM) / 2.0, HtmlReport.escape(c.yLabel())));
    }

    private static void line(StringBuilder sb, Frame f, ChartSpec.Series s, String color) {
        StringBuilder pts = new StringBuilder();
        for (int i = 0; i < s.x().length; i++) {
            if (Double.isNaN(s.y()[i])) {
                continue;
            }
            double px = f.px(s.x()[i]);
            double py = f.py(s.y()[i]);
            pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
            sb.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>%s: %s</title></circle>",
                    px, py, color, HtmlReport.escape(s.name()), number(s.y()[i])));
        }
        sb.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").append(color)
                .append("\" points=\"").append(pts.toString().strip()).append("\"/>");
    }

    private static void bars(StringBuilder sb, Frame f, ChartSpec.Series s, double width, String color) {
        for (int i = 0; i < s.x().length; i++) {
            double y = s.y()[i];
            if (Double.isNaN(y) || y <= 0) {
                continue;
            }
            double x0 = f.px(s.x()[i] - width / 2);
            double x1 = f.px(s.x()[i] + width / 2);
            sb.append(String.format(Locale.ROOT,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" fill-opacity=\"0.8\"/>",
                    x0, f.py(y), Math.max(0.5, x1 - x0 - 0.5), f.py(0) - f.py(y), color));
        }
    }

    private static void text(StringBuilder sb, double x, double y, String anchor, String style, String s) {
        sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"12\"%s>%s</text>",
                x, y, anchor, style.isEmpty() ? "" : " style=\"" + style + "\"", HtmlReport.escape(s)));
    }

    /** [min, max] over all finite x (or y) values; [0, 1] when there are none. */
    private static double[] range(ChartSpec c, boolean x) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (ChartSpec.Series s : c.series()) {
            for (int i = 0; i < s.x().length; i++) {
                double v = x ? s.x()[i] : s.y()[i];
                if (!Double.isNaN(s.y()[i]) && Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        return lo > hi ? new double[] {0, 1} : new double[] {lo, hi};
    }

    static double niceMax(double v) {
        if (!(v > 0)) {
            return 1;
        }
        return PointStats.niceWidth(v / 5) * 5;
    }

    static String number(double v) {
        double a = Math.abs(v);
        if (a == Math.rint(a) && a < 1e6) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, a >= 100 ? "%.0f" : a >= 1 ? "%.1f" : "%.3f", v);
    }
}
