package io.stockgrid.bench.load;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The two charts of a run, as PNG (XChart): latency by percentile with every target on one chart, and answers per
 * second over time. The percentile axis is log10(1 / (1 - percentile)), as HdrHistogram's plots are, so that the
 * tail gets the room: 1 is 90%, 2 is 99%, 3 is 99.9%. (It is drawn as a linear axis of that value with labels:
 * XChart's own log axis with custom labels does not finish painting.)
 */
final class Charts
{
    static final String LATENCY_FILE = "latency-by-percentile.png";
    static final String THROUGHPUT_FILE = "throughput-over-time.png";
    private static final int WIDTH = 1000;
    private static final int HEIGHT = 600;
    /** The chart's x axis stops at 99.999%. */
    private static final double X_MAX = 5;

    private Charts()
    {
    }

    static void write(final Path dir, final List<RunResult> runs, final String subtitle) throws IOException
    {
        System.setProperty("java.awt.headless", "true");
        BitmapEncoder.saveBitmap(latency(runs, subtitle), dir.resolve(LATENCY_FILE).toString(),
            BitmapEncoder.BitmapFormat.PNG);
        BitmapEncoder.saveBitmap(throughput(runs, subtitle), dir.resolve(THROUGHPUT_FILE).toString(),
            BitmapEncoder.BitmapFormat.PNG);
    }

    private static XYChart latency(final List<RunResult> runs, final String subtitle)
    {
        final XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
            .title("Latency by percentile, from intended send time: " + subtitle)
            .xAxisTitle("percentile").yAxisTitle("latency (ms)").build();
        style(chart);
        chart.getStyler().setXAxisMin(0.0);
        chart.getStyler().setXAxisMax(X_MAX);
        chart.getStyler().setXAxisTickMarkSpacingHint(80);
        chart.setCustomXAxisTickLabelsFormatter(Charts::percentileLabel);
        for (final RunResult run : runs)
        {
            final List<Double> xs = new ArrayList<>();
            final List<Double> ys = new ArrayList<>();
            final Histogram h = run.all();
            if (h.getTotalCount() == 0)
            {
                continue;
            }
            for (final HistogramIterationValue v : h.percentiles(5))
            {
                final double p = v.getPercentileLevelIteratedTo() / 100.0;
                final double x = p >= 1 ? X_MAX : Math.min(X_MAX, Math.log10(1 / (1 - p)));
                xs.add(x);
                ys.add(v.getValueIteratedTo() / 1e6);
                if (x >= X_MAX)
                {
                    break;
                }
            }
            final XYSeries series = chart.addSeries(label(run), xs, ys);
            series.setMarker(SeriesMarkers.NONE);
        }
        return chart;
    }

    private static XYChart throughput(final List<RunResult> runs, final String subtitle)
    {
        final XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
            .title("Answers per second: " + subtitle)
            .xAxisTitle("seconds since start of warm-up").yAxisTitle("answers / s").build();
        style(chart);
        chart.getStyler().setYAxisMin(0.0);
        for (final RunResult run : runs)
        {
            final List<Integer> xs = new ArrayList<>();
            final List<Long> ys = new ArrayList<>();
            for (final TimelinePoint p : run.timeline())
            {
                xs.add(p.second());
                ys.add(p.answeredPerSecond());
            }
            if (xs.isEmpty())
            {
                continue;
            }
            final XYSeries series = chart.addSeries(label(run), xs, ys);
            series.setMarker(SeriesMarkers.CIRCLE);
        }
        return chart;
    }

    private static void style(final XYChart chart)
    {
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setMarkerSize(4);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
    }

    private static String label(final RunResult run)
    {
        return run.description().replaceFirst(" at .*", "") + " (" + run.target() + ")";
    }

    /** "0%", "90%", "99%", "99.9%" ... at whole decades of the axis, nothing between them. */
    static String percentileLabel(final double x)
    {
        final long decade = Math.round(x);
        if (Math.abs(x - decade) > 1e-6 || decade < 0)
        {
            return "";
        }
        if (decade == 0)
        {
            return "0%";
        }
        if (decade <= 2)
        {
            return decade == 1 ? "90%" : "99%";
        }
        return "99." + "9".repeat((int)decade - 2) + "%";
    }
}
