package io.stockgrid.node.cluster;

import java.util.ArrayList;
import java.util.List;

/**
 * The clock of one scenario: milliseconds since it began, the events the harness caused (launches, signals), and
 * the fault windows (from the fault's injection until the harness saw the cluster whole again), so that errors the
 * driver met can be counted as during a fault or not.
 */
public final class FaultTimeline
{
    private final long originNs = System.nanoTime();
    private final List<Event> events = new ArrayList<>();
    private final List<Window> windows = new ArrayList<>();

    public record Event(long atMs, String what)
    {
    }

    public record Window(String fault, long fromMs, long toMs)
    {
    }

    public long nowMs()
    {
        return (System.nanoTime() - originNs) / 1_000_000;
    }

    public long toMs(final long nanoTime)
    {
        return (nanoTime - originNs) / 1_000_000;
    }

    public synchronized void event(final String what)
    {
        final Event e = new Event(nowMs(), what);
        events.add(e);
        System.out.printf("[%7.3f s] %s%n", e.atMs() / 1000.0, what);
    }

    /** Opens a fault window; {@link #faultEnds} closes the most recent open one. */
    public synchronized void faultBegins(final String fault)
    {
        event("fault begins: " + fault);
        windows.add(new Window(fault, nowMs(), Long.MAX_VALUE));
    }

    public synchronized void faultEnds()
    {
        for (int i = windows.size() - 1; i >= 0; i--)
        {
            final Window w = windows.get(i);
            if (w.toMs() == Long.MAX_VALUE)
            {
                windows.set(i, new Window(w.fault(), w.fromMs(), nowMs()));
                event("fault ends: " + w.fault());
                return;
            }
        }
        throw new IllegalStateException("no open fault window");
    }

    public synchronized boolean inFault(final long atMs)
    {
        for (final Window w : windows)
        {
            if (atMs >= w.fromMs() && atMs <= w.toMs())
            {
                return true;
            }
        }
        return false;
    }

    public synchronized List<Event> events()
    {
        return List.copyOf(events);
    }

    public synchronized List<Window> windows()
    {
        return List.copyOf(windows);
    }
}
