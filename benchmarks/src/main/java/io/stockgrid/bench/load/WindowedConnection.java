package io.stockgrid.bench.load;

import java.util.ArrayDeque;

/**
 * One connection's bound on requests in flight: at most {@code window} are sent and unanswered at once; beyond that
 * up to {@code backlogMax} wait here, in order (their latency keeps counting from their intended send time); beyond
 * that a request is dropped and counted, so that a store that stops answering cannot grow the generator's memory.
 */
abstract class WindowedConnection
{
    private final int window;
    private final int backlogMax;
    private final ArrayDeque<Request> backlog;
    private int inFlight;

    WindowedConnection(final int window, final int backlogMax)
    {
        if (window < 1 || backlogMax < 0)
        {
            throw new IllegalArgumentException("window must be >= 1 and backlog >= 0: " + window + ", " + backlogMax);
        }
        this.window = window;
        this.backlogMax = backlogMax;
        this.backlog = new ArrayDeque<>(Math.min(backlogMax, 1024));
    }

    /** Sends the request now, queues it, or (both full) completes it as {@link Outcome#DROPPED}. */
    final void submit(final Request request)
    {
        final boolean sendNow;
        synchronized (this)
        {
            if (inFlight < window)
            {
                inFlight++;
                sendNow = true;
            }
            else if (backlog.size() < backlogMax)
            {
                backlog.addLast(request);
                return;
            }
            else
            {
                sendNow = false;
            }
        }
        if (sendNow)
        {
            dispatch(request);
        }
        else
        {
            request.complete(Outcome.DROPPED);
        }
    }

    /** Called by the subclass once per answered (or failed) request, before completing it: frees its slot. */
    final void answered()
    {
        final Request next;
        synchronized (this)
        {
            next = backlog.pollFirst();
            if (next == null)
            {
                inFlight--;
            }
        }
        if (next != null)
        {
            dispatch(next);
        }
    }

    final synchronized int outstanding()
    {
        return inFlight + backlog.size();
    }

    /** Puts the request on the wire; must not block. Every dispatched request ends in {@link #answered()}. */
    abstract void dispatch(Request request);

    abstract void close();
}
