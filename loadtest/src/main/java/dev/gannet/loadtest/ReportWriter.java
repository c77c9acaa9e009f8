package dev.gannet.loadtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Writes results.json, report.html and the PNG charts under the output folder. */
public final class ReportWriter {

    private ReportWriter() {
    }

    /** Returns the files written. A PNG that cannot be drawn is reported on {@code warn} and skipped. */
    public static List<Path> write(RunReport report, Path dir, ObjectMapper json, PrintWriter warn) throws IOException {
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        Path results = dir.resolve("results.json");
        json.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValue(results.toFile(), report);
        written.add(results);
        List<ChartSpec> charts = ReportCharts.build(report);
        Path html = dir.resolve("report.html");
        Files.writeString(html, HtmlReport.render(report, charts), StandardCharsets.UTF_8);
        written.add(html);
        for (ChartSpec c : charts) {
            Path png = dir.resolve(c.id() + ".png");
            try {
                PngChart.write(c, png);
                written.add(png);
            } catch (IOException | RuntimeException | LinkageError e) {
                // A JRE without fonts or AWT libraries should not cost the user the measurements.
                warn.println("warning: could not draw " + png + ": " + e);
            }
        }
        return written;
    }
}
