package io.stockgrid.bench.load;

import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Once a second: one progress line (unless quiet), and one {@link TimelinePoint} for the throughput chart. */
final class ProgressReporter implements AutoCloseable
{
    private final String name;
    private final LoadStats stats;
    private final Target target;
    private final PrintStream out;
    private final boolean quiet;
    private final long measureStartNs;
    private final ScheduledExecutorService timer;
    private final List<TimelinePoint> timeline = new ArrayList<>();
    private Histogram recycled;
    private long lastSent;
    private long lastAnswered;
    private long lastErrors;
    private long lastTimeouts;
    private long lastDropped;
    private int second;

    ProgressReporter(final String name, final LoadStats stats, final Target target, final PrintStream out,
        final boolean quiet, final long startNs, final long measureStartNs)
    {
        this.name = name;
        this.stats = stats;
        this.target = target;
        this.out = out;
        this.quiet = quiet;
        this.measureStartNs = measureStartNs;
        this.timer = Executors.newSingleThreadScheduledExecutor(r ->
        {
            final Thread t = new Thread(r, "bench-progress");
            t.setDaemon(true);
            return t;
        });
        final long firstDelayNs = Math.max(0, startNs + TimeUnit.SECONDS.toNanos(1) - System.nanoTime());
        timer.scheduleAtFixedRate(this::tick, firstDelayNs, TimeUnit.SECONDS.toNanos(1), TimeUnit.NANOSECONDS);
    }

    private synchronized void tick()
    {
        second++;
        recycled = stats.intervalHistogram(recycled);
        final long sent = stats.sentSoFar();
        final long answered = stats.answeredSoFar();
        final long errors = stats.tallySoFar(LoadStats.ERRORS);
        final long timeouts = stats.tallySoFar(LoadStats.TIMEOUTS);
        final long dropped = stats.tallySoFar(LoadStats.DROPPED);
        final boolean measuring = System.nanoTime() - TimeUnit.SECONDS.toNanos(1) >= measureStartNs;
        final TimelinePoint point = new TimelinePoint(second, measuring, sent - lastSent, answered - lastAnswered,
            ms(recycled.getValueAtPercentile(50)), ms(recycled.getValueAtPercentile(99)), ms(recycled.getMaxValue()),
            errors - lastErrors, timeouts - lastTimeouts, dropped - lastDropped, target.outstanding());
        timeline.add(point);
        lastSent = sent;
        lastAnswered = answered;
        lastErrors = errors;
        lastTimeouts = timeouts;
        lastDropped = dropped;
        if (!quiet)
        {
            out.println(String.format(Locale.ROOT,
                "[%-5s %4ds %-7s] sent %7d/s  answered %7d/s  p50 %8.3f ms  p99 %8.3f ms  max %8.3f ms  "
                    + "errors %d  timeouts %d  dropped %d  outstanding %d",
                name, second, measuring ? "measure" : "warm-up", point.sentPerSecond(), point.answeredPerSecond(),
                point.p50Ms(), point.p99Ms(), point.maxMs(), point.errors(), point.timeouts(), point.dropped(),
                point.outstanding()));
        }
    }

    static double ms(final long ns)
    {
        return ns / 1e6;
    }

    /** Stops the ticks; returns the timeline so far. */
    synchronized List<TimelinePoint> stop()
    {
        timer.shutdownNow();
        return List.copyOf(timeline);
    }

    @Override
    public void close()
    {
        timer.shutdownNow();
    }
}
