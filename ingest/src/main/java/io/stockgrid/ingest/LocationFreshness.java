package io.stockgrid.ingest;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * When each location's stock was last updated through this node (set stock, adjustment, restocking return), for the
 * inventory freshness gauge. Bounded: the first {@code capacity} locations seen get an entry each; updates to any
 * other location go to one shared overflow entry, {@link #OVERFLOW}, which is not a valid location name (so it
 * cannot be mistaken for one). Entries are never removed: a location whose feed stopped is exactly what the gauge is
 * for.
 */
final class LocationFreshness
{
    /** The label of the overflow entry: parentheses are outside the location alphabet. */
    static final String OVERFLOW = "(other)";

    private final int capacity;
    private final ConcurrentHashMap<String, AtomicLong> lastUpdateMs = new ConcurrentHashMap<>();
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicLong overflowMs = new AtomicLong(-1);

    LocationFreshness(final int capacity)
    {
        if (capacity < 1)
        {
            throw new IllegalArgumentException("capacity must be >= 1: " + capacity);
        }
        this.capacity = capacity;
    }

    /** Records an update of {@code location} at {@code nowMs}. No allocation once the location has an entry. */
    void updated(final String location, final long nowMs)
    {
        AtomicLong last = lastUpdateMs.get(location);
        if (last == null)
        {
            if (size.get() >= capacity)
            {
                advance(overflowMs, nowMs);
                return;
            }
            if (size.incrementAndGet() > capacity)
            {
                size.decrementAndGet();
                advance(overflowMs, nowMs);
                return;
            }
            final AtomicLong mine = new AtomicLong(nowMs);
            last = lastUpdateMs.putIfAbsent(location, mine);
            if (last == null)
            {
                return;
            }
            size.decrementAndGet();
        }
        advance(last, nowMs);
    }

    /** Calls {@code sink} with each location (and the overflow entry, if used) and its last update time. */
    void forEach(final BiConsumer<String, Long> sink)
    {
        for (final Map.Entry<String, AtomicLong> e : lastUpdateMs.entrySet())
        {
            sink.accept(e.getKey(), e.getValue().get());
        }
        final long overflow = overflowMs.get();
        if (overflow >= 0)
        {
            sink.accept(OVERFLOW, overflow);
        }
    }

    int size()
    {
        return lastUpdateMs.size();
    }

    private static void advance(final AtomicLong last, final long nowMs)
    {
        long seen = last.get();
        while (nowMs > seen && !last.compareAndSet(seen, nowMs))
        {
            seen = last.get();
        }
    }
}
