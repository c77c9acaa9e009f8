package dev.gannet.loadtest;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;

/** Writes a {@link ChartSpec} as a PNG with JFreeChart; needs {@code java.awt.headless=true} on servers. */
public final class PngChart {

    private PngChart() {
    }

    public static void write(ChartSpec c, Path file) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        for (ChartSpec.Series s : c.series()) {
            XYSeries xs = new XYSeries(s.name(), false, true);
            for (int i = 0; i < s.x().length; i++) {
                if (!Double.isNaN(s.y()[i])) {
                    xs.add(s.x()[i], s.y()[i]);
                }
            }
            data.addSeries(xs);
        }
        JFreeChart chart;
        if (c.kind() == ChartSpec.Kind.BAR) {
            data.setIntervalWidth(c.barWidth());
            chart = ChartFactory.createXYBarChart(c.title(), c.xLabel(), false, c.yLabel(), data,
                    PlotOrientation.VERTICAL, true, false, false);
        } else {
            chart = ChartFactory.createXYLineChart(c.title(), c.xLabel(), c.yLabel(), data,
                    PlotOrientation.VERTICAL, true, false, false);
            XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
            chart.getXYPlot().setRenderer(renderer);
        }
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        for (int s = 0; s < c.series().size(); s++) {
            plot.getRenderer().setSeriesPaint(s, Color.decode(SvgChart.PALETTE[s % SvgChart.PALETTE.length]));
        }
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, 800, 450);
    }
}
