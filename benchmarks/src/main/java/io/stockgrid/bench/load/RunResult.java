package io.stockgrid.bench.load;

import org.HdrHistogram.Histogram;

import java.util.List;
import java.util.Map;

/**
 * One target's run, measured window only: counts per operation ({@code counts[op][tally]}, see {@link LoadStats}),
 * latency histograms (nanoseconds, from the intended send time), the per-second timeline and the audit.
 */
record RunResult(
    String target,
    String description,
    boolean closedLoop,
    int targetRatePerSecond,
    int warmupSeconds,
    int durationSeconds,
    long[][] counts,
    Histogram all,
    Histogram[] byOp,
    List<TimelinePoint> timeline,
    Map<String, Long> errorsByStatus,
    long reservationsIssued,
    boolean ranOutOfIds,
    AuditResult audit)
{
    long requests()
    {
        long sum = 0;
        for (final long[] op : counts)
        {
            for (final long c : op)
            {
                sum += c;
            }
        }
        return sum;
    }

    long tally(final int tally)
    {
        long sum = 0;
        for (final long[] op : counts)
        {
            sum += op[tally];
        }
        return sum;
    }

    /** Answers per second over the measured window (dropped requests were never sent, so they do not count). */
    double achievedPerSecond()
    {
        return (requests() - tally(LoadStats.DROPPED)) / (double)durationSeconds;
    }

    boolean passed()
    {
        return audit == null || audit.passed();
    }
}
