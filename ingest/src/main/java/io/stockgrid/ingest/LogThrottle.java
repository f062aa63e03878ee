package io.stockgrid.ingest;

import java.util.concurrent.atomic.AtomicLong;

/**
 * At most one log line per interval for an event that can come in floods (an outage failing every request, a full
 * table refusing every reservation): the first event of each interval is logged, the others are only counted.
 * Thread-safe.
 */
public final class LogThrottle
{
    private final long intervalNs;
    private final AtomicLong nextNs;
    private final AtomicLong unlogged = new AtomicLong();

    public LogThrottle(final long intervalNs)
    {
        this.intervalNs = intervalNs;
        this.nextNs = new AtomicLong(System.nanoTime());
    }

    /**
     * Call once per event: -1 if this one is not to be logged (it is counted), else how many were not logged since
     * the last logged one (this one excluded).
     */
    public long tryLog()
    {
        final long now = System.nanoTime();
        final long next = nextNs.get();
        if (now - next >= 0 && nextNs.compareAndSet(next, now + intervalNs))
        {
            return unlogged.getAndSet(0);
        }
        unlogged.incrementAndGet();
        return -1;
    }
}
