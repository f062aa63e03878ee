package io.stockgrid.bench.load;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Drives one target through warm-up and measurement, open loop on a fixed schedule or closed loop at peak, and
 * records every answer: latency from the intended send time, the tally, and what it means for the audit's ledger.
 */
final class LoadDriver implements Completion
{
    private final LoadOptions options;
    private final Target target;
    private final LoadStats stats = new LoadStats();
    private final Ledger ledger;
    private final HeldPool held = new HeldPool(1 << 16);
    private final RequestFactory factory;
    private final AtomicLong issued = new AtomicLong();
    private final AtomicLong nextRequest = new AtomicLong();
    private final AtomicLongArray unansweredByOp = new AtomicLongArray(Op.LOAD_OPS);
    private final long timeoutNs;
    private volatile long measureStartNs = Long.MAX_VALUE;
    private volatile long endNs = Long.MAX_VALUE;
    private volatile boolean recording = true;

    LoadDriver(final LoadOptions options, final Target target, final Workload workload)
    {
        this.options = options;
        this.target = target;
        this.timeoutNs = TimeUnit.MILLISECONDS.toNanos(options.timeoutMs);
        final long maxSeq;
        if (options.closedLoop())
        {
            maxSeq = options.maxRequests;
        }
        else
        {
            final Schedule schedule = new Schedule(options.rate, options.rampSeconds);
            maxSeq = Math.min(options.maxRequests,
                schedule.requestsWithin(options.warmupSeconds + options.durationSeconds));
        }
        this.ledger = new Ledger(maxSeq);
        this.factory = new RequestFactory(workload, held, options.commitShare, options.releaseShare,
            options.retryShare, maxSeq, this);
    }

    /** The recorded run; the timeline comes from the progress reporter. */
    record Run(LoadStats stats, Ledger ledger, long reservationsIssued, long startNs, long measureStartNs, long endNs,
        long lastAnswerNs, List<TimelinePoint> timeline, boolean ranOutOfIds)
    {
    }

    Run run(final PrintStream out) throws InterruptedException
    {
        final long startNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
        measureStartNs = startNs + TimeUnit.SECONDS.toNanos(options.warmupSeconds);
        endNs = measureStartNs + TimeUnit.SECONDS.toNanos(options.durationSeconds);
        final boolean ranOut;
        try (ProgressReporter progress = new ProgressReporter(target.name(), stats, target, out, options.noProgress,
            startNs, measureStartNs))
        {
            ranOut = options.closedLoop() ? closedLoop(startNs) : openLoop(startNs);
            // Give unanswered requests the timeout to come back, then count what is left as timeouts.
            final long drainDeadlineNs = Math.max(System.nanoTime(), endNs) + timeoutNs;
            while (issued.get() > 0 && System.nanoTime() < drainDeadlineNs)
            {
                if (unanswered() == 0)
                {
                    break;
                }
                Thread.sleep(5);
            }
            recording = false;
            final long lastAnswerNs = System.nanoTime();
            for (final Op op : new Op[] {Op.RESERVE, Op.COMMIT, Op.RELEASE})
            {
                stats.unanswered(op, unansweredByOp.get(op.ordinal()));
            }
            final List<TimelinePoint> timeline = progress.stop();
            if (ranOut)
            {
                out.println("[" + target.name() + "] stopped early: --max-requests (" + ledger.capacity()
                    + ") reservations issued");
            }
            return new Run(stats, ledger, factory.issued(), startNs, measureStartNs, endNs, lastAnswerNs, timeline,
                ranOut);
        }
    }

    private long unanswered()
    {
        return unansweredByOp.get(0) + unansweredByOp.get(1) + unansweredByOp.get(2);
    }

    /** Sends on the schedule from this thread; returns true if it ran out of reservation ids. */
    private boolean openLoop(final long startNs)
    {
        final Schedule schedule = new Schedule(options.rate, options.rampSeconds);
        for (long n = 0; ; n++)
        {
            final long intendedNs = startNs + schedule.offsetNs(n);
            if (intendedNs >= endNs)
            {
                return false;
            }
            // Park until the intended time (no spinning: the generator shares the cores with the store). A request
            // sent late still has its latency counted from the intended time.
            long waitNs;
            while ((waitNs = intendedNs - System.nanoTime()) > 0)
            {
                LockSupport.parkNanos(waitNs);
            }
            if (!issue(intendedNs))
            {
                return true;
            }
        }
    }

    /** Fills every connection's window, then each answer sends the next request until the end. */
    private boolean closedLoop(final long startNs) throws InterruptedException
    {
        long waitNs;
        while ((waitNs = startNs - System.nanoTime()) > 0)
        {
            LockSupport.parkNanos(waitNs);
        }
        final int inFlight = options.connections * options.window;
        for (int i = 0; i < inFlight; i++)
        {
            if (!issue(System.nanoTime()))
            {
                return true;
            }
        }
        while ((waitNs = endNs - System.nanoTime()) > 0)
        {
            Thread.sleep(Math.max(1, Math.min(100, TimeUnit.NANOSECONDS.toMillis(waitNs))));
        }
        return factory.issued() >= ledger.capacity();
    }

    private boolean issue(final long intendedNs)
    {
        final Request request = factory.next(nextRequest.getAndIncrement(), intendedNs);
        if (request == null)
        {
            return false;
        }
        issued.incrementAndGet();
        unansweredByOp.incrementAndGet(request.op.ordinal());
        ledger.mark(request.seq, request.op == Op.RESERVE ? Ledger.RESERVE_SENT : Ledger.SETTLE_SENT);
        stats.sent();
        target.send(request);
        return true;
    }

    @Override
    public void complete(final Request r, final Outcome outcome)
    {
        final long doneNs = System.nanoTime();
        recordInLedger(r, outcome);
        if (!recording)
        {
            return;
        }
        unansweredByOp.decrementAndGet(r.op.ordinal());
        final long latencyNs = doneNs - r.intendedNs;
        final boolean measured = r.intendedNs >= measureStartNs && r.intendedNs < endNs;
        stats.record(r, outcome, latencyNs, measured, outcome != Outcome.DROPPED && latencyNs > timeoutNs);
        if (options.closedLoop() && doneNs < endNs)
        {
            issue(doneNs);
        }
    }

    private void recordInLedger(final Request r, final Outcome outcome)
    {
        if (outcome == Outcome.ACCEPTED)
        {
            switch (r.op)
            {
                case RESERVE:
                    if ((ledger.mark(r.seq, Ledger.ACCEPTED) & Ledger.ACCEPTED) == 0)
                    {
                        held.offer(r.seq);
                    }
                    break;
                case COMMIT:
                    ledger.mark(r.seq, Ledger.COMMITTED);
                    break;
                default:
                    ledger.mark(r.seq, Ledger.RELEASED);
                    break;
            }
        }
        else if (outcome == Outcome.REJECTED)
        {
            ledger.mark(r.seq, r.op == Op.RESERVE ? Ledger.REJECTED : Ledger.NOT_HELD);
        }
    }
}
