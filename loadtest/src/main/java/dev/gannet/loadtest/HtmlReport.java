package dev.gannet.loadtest;

import java.util.List;
import java.util.Map;

/**
 * The self-contained report.html: tables plus inline SVG charts, no scripts, no external resources,
 * so it opens offline and can be attached to an issue as one file.
 */
public final class HtmlReport {

    private HtmlReport() {
    }

    public static String render(RunReport report, List<ChartSpec> charts) {
        StringBuilder sb = new StringBuilder(64 * 1024);
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<title>Gannet loadtest report</title><style>")
                .append("body{font-family:sans-serif;margin:24px;color:#222}")
                .append("table{border-collapse:collapse;margin:8px 0 16px}")
                .append("td,th{border:1px solid #ccc;padding:3px 8px;text-align:right;font-size:13px}")
                .append("th{background:#f0f0f0}td.l,th.l{text-align:left}")
                .append("pre{background:#f6f6f6;padding:8px;white-space:pre-wrap}")
                .append(".charts svg{margin:8px;border:1px solid #eee}")
                .append("</style></head><body>\n");
        sb.append("<h1>Gannet loadtest report</h1>\n");
        sb.append("<p>Started ").append(escape(report.startedAt())).append(". Latencies in milliseconds.</p>\n");
        sb.append("<h2>Command</h2><pre>").append(escape(report.commandLine())).append("</pre>\n");
        RunReport.Machine m = report.machine();
        sb.append("<h2>Machine (load generator)</h2><p>").append(m.cores()).append(" cores, ")
                .append(escape(m.os() + " " + m.osVersion() + " " + m.arch())).append(", Java ")
                .append(escape(m.java() + " (" + m.javaVendor() + ")")).append(", max heap ")
                .append(m.maxHeapBytes() >> 20).append(" MiB</p>\n");
        servers(sb, report);
        sb.append("<h2>Workload</h2><table>");
        for (Map.Entry<String, Object> e : report.workload().entrySet()) {
            sb.append("<tr><th class=\"l\">").append(escape(e.getKey())).append("</th><td class=\"l\">")
                    .append(escape(String.valueOf(e.getValue()))).append("</td></tr>");
        }
        sb.append("</table>\n<p>Prompt tokens counted by: ").append(escape(report.tokenCounting()))
                .append(". Synthetic prompt texts built: ").append(report.promptsFitted()).append(", of which ")
                .append(report.promptsExact()).append(" hit their token count exactly.</p>\n");
        sb.append("<h2>Results</h2>\n");
        table(sb, TextSummary.HEADER, TextSummary.pointRows(report));
        errors(sb, report);
        if (report.comparison() != null) {
            sb.append("<h2>Comparison</h2><p>").append(escape(report.comparison().ratio())).append("</p>\n");
            table(sb, TextSummary.COMPARISON_HEADER, TextSummary.comparisonRows(report.comparison()));
        }
        sb.append("<h2>Charts</h2><p>PNG copies sit beside this file, named after each chart (e.g. ")
                .append("throughput.png).</p><div class=\"charts\">\n");
        for (ChartSpec c : charts) {
            sb.append(SvgChart.render(c)).append('\n');
        }
        sb.append("</div>\n").append(glossary()).append("</body></html>\n");
        return sb.toString();
    }

    private static void servers(StringBuilder sb, RunReport report) {
        sb.append("<h2>Servers</h2><table><tr><th class=\"l\">label</th><th class=\"l\">URL</th>")
                .append("<th class=\"l\">model</th><th class=\"l\">GET /v1/models</th></tr>");
        for (RunReport.Target t : report.targets()) {
            String models;
            if (t.models() == null) {
                models = "failed: " + t.modelsError();
            } else {
                StringBuilder ids = new StringBuilder();
                for (var d : t.models().path("data")) {
                    ids.append(ids.isEmpty() ? "" : ", ").append(d.path("id").asText());
                }
                models = ids.toString();
            }
            sb.append("<tr><td class=\"l\">").append(escape(t.label())).append("</td><td class=\"l\">")
                    .append(escape(t.url())).append("</td><td class=\"l\">").append(escape(t.model()))
                    .append("</td><td class=\"l\">").append(escape(models)).append("</td></tr>");
        }
        sb.append("</table>\n");
    }

    private static void errors(StringBuilder sb, RunReport report) {
        StringBuilder rows = new StringBuilder();
        for (PointSummary p : report.points()) {
            for (Map.Entry<String, Integer> e : p.errors().entrySet()) {
                rows.append("<tr><td class=\"l\">").append(escape(p.target())).append("</td><td class=\"l\">")
                        .append(escape(p.loadLabel())).append("</td><td class=\"l\">").append(escape(e.getKey()))
                        .append("</td><td>").append(e.getValue()).append("</td></tr>");
            }
        }
        if (!rows.isEmpty()) {
            sb.append("<h3>Errors by kind</h3><table><tr><th class=\"l\">server</th><th class=\"l\">load</th>")
                    .append("<th class=\"l\">kind</th><th>count</th></tr>").append(rows).append("</table>\n");
        }
    }

    private static void table(StringBuilder sb, String[] header, List<String[]> rows) {
        sb.append("<table><tr>");
        for (int i = 0; i < header.length; i++) {
            sb.append(i < 2 ? "<th class=\"l\">" : "<th>").append(escape(header[i])).append("</th>");
        }
        sb.append("</tr>");
        for (String[] r : rows) {
            sb.append("<tr>");
            for (int i = 0; i < r.length; i++) {
                sb.append(i < 2 ? "<td class=\"l\">" : "<td>").append(escape(r[i])).append("</td>");
            }
            sb.append("</tr>");
        }
        sb.append("</table>\n");
    }

    private static String glossary() {
        return "<h2>What the figures mean</h2><ul>"
                + "<li>TTFT: time from sending the request to the first SSE chunk that carries text.</li>"
                + "<li>ITL: every gap between consecutive text-carrying chunks, pooled over all requests.</li>"
                + "<li>TPOT: per request, (E2E - TTFT) / (output tokens - 1).</li>"
                + "<li>E2E: time from sending the request to the end of its stream.</li>"
                + "<li>Tokens/s: output (or prompt + output) tokens of successful requests over the point's wall time.</li>"
                + "<li>Goodput: requests that succeeded with TTFT and every inter-token gap within the SLOs.</li>"
                + "</ul>\n";
    }

    /** Escapes text for HTML and SVG content and attributes. */
    public static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
