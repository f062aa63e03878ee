package io.stockgrid.ingest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The most frequent keys of an unbounded stream, in bounded memory: the Space-Saving algorithm (Metwally, Agrawal,
 * El Abbadi, 2005). At most {@code capacity} keys are counted; a new key, when all are taken, replaces the key with
 * the lowest count and inherits that count plus one. Any key seen more than {@code total / capacity} times is
 * guaranteed to be counted, and a count overestimates by at most the count it inherited ({@link Entry#error}).
 * <p>
 * Used for the SKUs whose reservations are rejected: tracking {@code capacity} keys and exporting only the top few
 * keeps the export accurate for the heavy hitters it is meant to show. Synchronized: rejections are far rarer than
 * requests, and one update costs a map lookup (a scan of the {@code capacity} counters only on replacement).
 */
final class TopCounts
{
    /** One counted key: {@code count} may overestimate by up to {@code error}. */
    record Entry(String key, long count, long error)
    {
    }

    private static final class Counter
    {
        final String key;
        long count;
        long error;

        Counter(final String key, final long count, final long error)
        {
            this.key = key;
            this.count = count;
            this.error = error;
        }
    }

    private final int capacity;
    private final Map<String, Counter> counters;

    TopCounts(final int capacity)
    {
        if (capacity < 1)
        {
            throw new IllegalArgumentException("capacity must be >= 1: " + capacity);
        }
        this.capacity = capacity;
        this.counters = new HashMap<>(capacity * 2);
    }

    synchronized void add(final String key)
    {
        final Counter counter = counters.get(key);
        if (counter != null)
        {
            counter.count++;
            return;
        }
        if (counters.size() < capacity)
        {
            counters.put(key, new Counter(key, 1, 0));
            return;
        }
        Counter min = null;
        for (final Counter c : counters.values())
        {
            if (min == null || c.count < min.count)
            {
                min = c;
            }
        }
        counters.remove(min.key);
        counters.put(key, new Counter(key, min.count + 1, min.count));
    }

    /** Up to {@code n} keys with the highest counts, highest first. */
    synchronized List<Entry> top(final int n)
    {
        final List<Entry> all = new ArrayList<>(counters.size());
        for (final Counter c : counters.values())
        {
            all.add(new Entry(c.key, c.count, c.error));
        }
        all.sort((a, b) -> a.count() != b.count() ? Long.compare(b.count(), a.count()) : a.key().compareTo(b.key()));
        return all.size() <= n ? all : List.copyOf(all.subList(0, n));
    }
}
