package io.stockgrid.bench.load;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one target's run recorded, written from the I/O threads without locks: latency per load operation for the
 * measured window (HdrHistogram recorders, from the intended send time), the same for every answer as interval
 * histograms for the progress line, and counts per operation and tally.
 */
final class LoadStats
{
    /** Latencies above this are recorded as this (10 minutes). */
    static final long HIGHEST_NS = TimeUnit.MINUTES.toNanos(10);
    static final int DIGITS = 3;

    /** Count columns: the outcomes, plus answers that came later than the timeout. */
    static final int ACCEPTED = 0;
    static final int REJECTED = 1;
    static final int ERRORS = 2;
    static final int TIMEOUTS = 3;
    static final int DROPPED = 4;
    static final int TALLIES = 5;
    static final String[] TALLY_NAMES = {"accepted", "rejected", "errors", "timeouts", "dropped"};

    private final Recorder[] measured = new Recorder[Op.LOAD_OPS];
    private final Recorder interval = new Recorder(HIGHEST_NS, DIGITS);
    /** [op][tally], measured window only. */
    private final LongAdder[][] counts = new LongAdder[Op.LOAD_OPS][TALLIES];
    /** Every answer, warm-up included: for the progress line. */
    private final LongAdder[] allTallies = new LongAdder[TALLIES];
    private final LongAdder sent = new LongAdder();
    private final LongAdder answered = new LongAdder();
    private final ConcurrentHashMap<String, LongAdder> errorsByStatus = new ConcurrentHashMap<>();

    LoadStats()
    {
        for (int op = 0; op < Op.LOAD_OPS; op++)
        {
            measured[op] = new Recorder(HIGHEST_NS, DIGITS);
            for (int t = 0; t < TALLIES; t++)
            {
                counts[op][t] = new LongAdder();
            }
        }
        for (int t = 0; t < TALLIES; t++)
        {
            allTallies[t] = new LongAdder();
        }
    }

    void sent()
    {
        sent.increment();
    }

    /** One answered (or dropped) load request. */
    void record(final Request r, final Outcome outcome, final long latencyNs, final boolean inMeasuredWindow,
        final boolean late)
    {
        final int tally = late ? TIMEOUTS : switch (outcome)
        {
            case ACCEPTED -> ACCEPTED;
            case REJECTED -> REJECTED;
            case ERROR -> ERRORS;
            case DROPPED -> DROPPED;
        };
        allTallies[tally].increment();
        if (outcome == Outcome.ERROR)
        {
            errorsByStatus.computeIfAbsent(r.op.label() + ":" + r.status, k -> new LongAdder()).increment();
        }
        if (outcome != Outcome.DROPPED)
        {
            answered.increment();
            final long clamped = Math.min(Math.max(latencyNs, 0), HIGHEST_NS);
            interval.recordValue(clamped);
            if (inMeasuredWindow)
            {
                measured[r.op.ordinal()].recordValue(clamped);
            }
        }
        if (inMeasuredWindow)
        {
            counts[r.op.ordinal()][tally].increment();
        }
    }

    /** Requests that got no answer at all before the run ended, counted as timeouts of the measured window. */
    void unanswered(final Op op, final long count)
    {
        counts[op.ordinal()][TIMEOUTS].add(count);
    }

    long sentSoFar()
    {
        return sent.sum();
    }

    long answeredSoFar()
    {
        return answered.sum();
    }

    long tallySoFar(final int tally)
    {
        return allTallies[tally].sum();
    }

    Histogram intervalHistogram(final Histogram recycle)
    {
        return interval.getIntervalHistogram(recycle);
    }

    /** The measured histogram of one operation; call once, at the end. */
    Histogram measured(final Op op)
    {
        return measured[op.ordinal()].getIntervalHistogram();
    }

    long count(final Op op, final int tally)
    {
        return counts[op.ordinal()][tally].sum();
    }

    Map<String, Long> errorsByStatus()
    {
        final Map<String, Long> sorted = new TreeMap<>();
        errorsByStatus.forEach((k, v) -> sorted.put(k, v.sum()));
        return sorted;
    }
}
