package dev.leakproof.reports;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The page's charts, drawn with XChart and embedded as base64 PNG data URIs so that the page is
 * self-contained (no external file, no script). Rendering is headless: the tool sets
 * {@code java.awt.headless=true} unless the caller chose otherwise.
 */
final class Charts {

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private static final int WIDTH = 900;
    private static final int HEIGHT = 380;
    private static final double MIB = 1024.0 * 1024.0;
    private static final Color FAINT = new Color(140, 140, 140, 140);
    private static final Color BLUE = new Color(31, 119, 180);
    private static final Color RED = new Color(214, 39, 40);
    private static final Color ORANGE = new Color(255, 127, 14);

    private Charts() {
    }

    /** Time axis in hours for runs of two hours or more, else minutes. */
    private static boolean hours(long runMs) {
        return runMs >= 2 * 3_600_000L;
    }

    private static double[] times(List<SoakAnalysis.Point> points, boolean hours) {
        return points.stream().mapToDouble(p -> p.tMs() / (hours ? 3_600_000.0 : 60_000.0)).toArray();
    }

    private static XYChart xy(String title, String yTitle, long runMs) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle(hours(runMs) ? "hours since start" : "minutes since start").yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridLinesColor(new Color(230, 230, 230));
        chart.getStyler().setAntiAlias(true);
        return chart;
    }

    /** Heap over time: settled readings, fitted line over the fitted span, gc readings faint. */
    static String heap(SoakAnalysis a) {
        long runMs = a.soak().lastMs();
        boolean h = hours(runMs);
        XYChart chart = xy("Heap after GC (" + a.basis() + " readings fitted)", "heap used (MiB)", runMs);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setMarkerSize(6);
        List<SoakAnalysis.Point> gc = a.heapSeries("gc");
        if (!gc.isEmpty() && !a.basis().equals("gc")) { // when gc readings are the basis, they are drawn below
            XYSeries s = chart.addSeries("gc readings", times(gc, h), mib(gc));
            s.setMarkerColor(FAINT);
            s.setMarker(SeriesMarkers.CIRCLE);
        }
        List<SoakAnalysis.Point> settled = a.heapSeries(a.basis());
        if (!settled.isEmpty()) {
            XYSeries s = chart.addSeries(a.basis() + " readings", times(settled, h), mib(settled));
            s.setMarkerColor(BLUE);
            s.setMarker(SeriesMarkers.CIRCLE);
        }
        HeapTrend.Fit fit = a.fit();
        List<SoakAnalysis.Point> fitted = a.fittedPoints();
        if (!Double.isNaN(fit.slopeMibPerHour()) && fitted.size() >= 2) {
            long t0 = fitted.get(0).tMs();
            long t1 = fitted.get(fitted.size() - 1).tMs();
            double[] x = {t0 / (h ? 3_600_000.0 : 60_000.0), t1 / (h ? 3_600_000.0 : 60_000.0)};
            double[] y = {fit.interceptMib() + fit.slopeMibPerHour() * t0 / 3_600_000.0,
                    fit.interceptMib() + fit.slopeMibPerHour() * t1 / 3_600_000.0};
            XYSeries line = chart.addSeries(String.format(java.util.Locale.ROOT, "fit: %s MiB/h", SoakAnalysis.num(fit.slopeMibPerHour())), x, y);
            line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            line.setLineColor(RED);
            line.setMarker(SeriesMarkers.NONE);
        }
        return encode(chart);
    }

    /** Reuse rate per interval, with the pass mark. */
    static String reuse(SoakAnalysis a, double passMark) {
        long runMs = a.soak().lastMs();
        boolean h = hours(runMs);
        List<SoakAnalysis.Point> points = a.reuseOverTime();
        XYChart chart = xy("Pool reuse rate (reuses / acquires per interval)", "reuse rate (%)", runMs);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(100.0);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        XYSeries s = chart.addSeries("reuse rate", times(points, h), points.stream().mapToDouble(p -> p.value() * 100).toArray());
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(BLUE);
        double[] x = {0, runMs / (h ? 3_600_000.0 : 60_000.0)};
        XYSeries mark = chart.addSeries("pass mark", x, new double[] {passMark * 100, passMark * 100});
        mark.setMarker(SeriesMarkers.NONE);
        mark.setLineColor(RED);
        return encode(chart);
    }

    /** Queue size (largest per interval) and high-water mark against capacity, one chart per queue. */
    static String queue(SoakAnalysis a, SoakAnalysis.QueueStats q) {
        long runMs = a.soak().lastMs();
        boolean h = hours(runMs);
        XYChart chart = xy("Queue '" + q.name() + "': depth vs capacity", "elements", runMs);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        XYSeries size = chart.addSeries("size (max per interval)", times(q.size(), h), q.size().stream().mapToDouble(SoakAnalysis.Point::value).toArray());
        size.setMarker(SeriesMarkers.NONE);
        size.setLineColor(BLUE);
        XYSeries hwm = chart.addSeries("high-water mark", times(q.highWaterMark(), h),
                q.highWaterMark().stream().mapToDouble(SoakAnalysis.Point::value).toArray());
        hwm.setMarker(SeriesMarkers.NONE);
        hwm.setLineColor(ORANGE);
        double[] x = {0, runMs / (h ? 3_600_000.0 : 60_000.0)};
        XYSeries cap = chart.addSeries("capacity", x, new double[] {q.capacity(), q.capacity()});
        cap.setMarker(SeriesMarkers.NONE);
        cap.setLineColor(RED);
        return encode(chart);
    }

    /**
     * Benchmark bars: the work score of each implementation of one group (benchmark + parameters
     * other than {@code impl}), with its error as error bars.
     */
    static String benchmarks(String title, List<JmhResults.Row> group, String unit) {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle("implementation").yAxisTitle(unit).build();
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setXAxisLabelRotation(20);
        chart.getStyler().setErrorBarsColor(Color.BLACK);
        chart.getStyler().setYAxisDecimalPattern("#,##0.###"); // not the raw doubles XChart prints for one bar
        chart.getStyler().setAntiAlias(true);
        List<String> names = new ArrayList<>();
        List<Double> scores = new ArrayList<>();
        List<Double> errors = new ArrayList<>();
        for (JmhResults.Row r : group) {
            names.add(r.params().getOrDefault("impl", r.shortName()));
            scores.add(r.workScore());
            double e = r.workError();
            errors.add(Double.isNaN(e) || e < 0 ? 0.0 : Math.min(e, r.workScore()));
        }
        CategorySeries s = chart.addSeries("score", names, scores, errors);
        s.setFillColor(BLUE);
        return encode(chart);
    }

    /** Two-run comparison: change of the primary score per benchmark, in percent. */
    static String comparison(List<JmhComparison.Change> changes, Map<JmhComparison.Change, String> labels) {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
                .title("Primary score change, new vs old run (higher is better only for throughput)")
                .xAxisTitle("benchmark (# in the table)").yAxisTitle("change (%)").build();
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        List<String> names = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        for (JmhComparison.Change c : changes) {
            names.add(labels.get(c));
            values.add(Double.isFinite(c.changePercent()) ? c.changePercent() : 0.0);
        }
        chart.addSeries("change", names, values).setFillColor(ORANGE);
        return encode(chart);
    }

    private static double[] mib(List<SoakAnalysis.Point> points) {
        return points.stream().mapToDouble(p -> p.value() / MIB).toArray();
    }

    private static String encode(Chart<?, ?> chart) {
        try {
            return "data:image/png;base64," + Base64.getEncoder().encodeToString(
                    BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render chart '" + chart.getTitle() + "'", e);
        }
    }
}
