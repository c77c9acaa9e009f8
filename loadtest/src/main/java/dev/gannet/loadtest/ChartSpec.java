package dev.gannet.loadtest;

import java.util.List;

/**
 * One chart as data, drawn twice: inline SVG for the HTML report and PNG (JFreeChart) beside it.
 *
 * @param id       file-name stem of the PNG copy
 * @param barWidth bar width in x units for {@link Kind#BAR} (bars are centred on x); 0 for lines
 */
public record ChartSpec(String id, String title, String xLabel, String yLabel, Kind kind, double barWidth,
                        List<Series> series) {

    public enum Kind { LINE, BAR }

    /** A named series; NaN y values are gaps (no sample at that x). */
    public record Series(String name, double[] x, double[] y) {
        public Series {
            if (x.length != y.length) {
                throw new IllegalArgumentException("series '" + name + "': " + x.length + " x values but "
                        + y.length + " y values");
            }
        }
    }

    public ChartSpec {
        if (!id.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("chart id '" + id + "' is not a safe file name");
        }
        series = List.copyOf(series);
    }
}
