package io.stockgrid.grid;

import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongArrayList;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A {@link StoreTable} of live record objects by key (stock records and the locations registry: few, changed in
 * place by their processors). A processor changes a record in place and calls {@code setValue}; the slot keeps the
 * indexed attribute's value at the last {@code setValue}, so the wheel is exact however the record was changed.
 */
final class ObjectTable extends StoreTable
{
    /** A record and its bookkeeping. */
    static final class Slot
    {
        final Object key;
        Object value;
        long retainUntilMs = Long.MAX_VALUE;
        /** The indexed attribute's value at the last {@code setValue}; MAX_VALUE: not in the index. */
        long indexed = Long.MAX_VALUE;
        /** Removed from the table: the expiry wheel drops it when it meets it. */
        boolean removed;
        /** The wheel scan that last listed this slot (a slot may sit in one bucket twice). */
        long listedBy;

        Slot(final Object key)
        {
            this.key = key;
        }
    }

    private final HashMap<Object, Slot> slots = new HashMap<>();
    /**
     * The expiry wheel over the indexed attribute: bucket (value / {@link #BUCKET_MS}) -> the slots put there. A slot
     * is added to its bucket when its indexed value changes and never removed on the spot: a scan drops the entries
     * whose slot has moved on or is gone. Adding is O(1) with no tree to rebalance (a sorted tree here cost about a
     * sixth of the partition threads' time under load).
     */
    private final Long2ObjectHashMap<ArrayList<Slot>> wheel;
    /** No bucket before this one holds a slot. */
    private long earliestBucket = Long.MAX_VALUE;
    private long scans;

    /** The slot the last {@link #get} found. */
    private Slot last;

    ObjectTable(final Spec spec, final AtomicLongArray published, final int publishedAt)
    {
        super(spec, published, publishedAt);
        this.wheel = spec.indexedAttribute() == null ? null : new Long2ObjectHashMap<>();
    }

    @Override
    long earliestIndexedMs()
    {
        return earliestBucket == Long.MAX_VALUE ? Long.MAX_VALUE : earliestBucket * BUCKET_MS;
    }

    @Override
    int size()
    {
        return slots.size();
    }

    /** The live slot of {@code key}, or null; a slot past its retention is removed and not returned. */
    Slot find(final Object key, final long wallMs)
    {
        final Slot slot = slots.get(key);
        if (slot != null && slot.retainUntilMs <= wallMs)
        {
            remove(slot);
            return null;
        }
        return slot;
    }

    @Override
    Object get(final Object key, final long wallMs)
    {
        last = find(key, wallMs);
        return last == null ? null : last.value;
    }

    @Override
    long lastRetainUntilMs()
    {
        return last == null ? Long.MAX_VALUE : last.retainUntilMs;
    }

    @Override
    void remove(final Object key)
    {
        final Slot slot = slots.get(key);
        if (slot != null)
        {
            remove(slot);
        }
    }

    @Override
    void put(final Object key, final Object value, final long retainUntilMs)
    {
        Slot slot = slots.get(key);
        if (slot == null)
        {
            slot = new Slot(key);
            slots.put(key, slot);
        }
        slot.value = value;
        slot.retainUntilMs = retainUntilMs;
        reindex(slot);
    }

    private void remove(final Slot slot)
    {
        slots.remove(slot.key);
        slot.removed = true;
        slot.indexed = Long.MAX_VALUE;
    }

    private void reindex(final Slot slot)
    {
        if (wheel == null)
        {
            return;
        }
        final long now = indexGetter.applyAsLong(slot.value);
        if (now == slot.indexed)
        {
            return;
        }
        slot.indexed = now;
        if (now != Long.MAX_VALUE)
        {
            final long bucket = Math.floorDiv(now, BUCKET_MS);
            ArrayList<Slot> inBucket = wheel.get(bucket);
            if (inBucket == null)
            {
                inBucket = new ArrayList<>(4);
                wheel.put(bucket, inBucket);
            }
            inBucket.add(slot);
            if (bucket < earliestBucket)
            {
                earliestBucket = bucket;
                publish();
            }
        }
    }

    @Override
    void forEachLive(final long wallMs, final LiveConsumer consumer)
    {
        forEachLiveSlot(wallMs, slot -> consumer.accept(slot.key, slot.value, slot.retainUntilMs));
    }

    @Override
    ChunkCursor chunkCursor()
    {
        // The keys as they are now (the map itself has no position to resume from); stock and location tables hold
        // one key per (sku, location) or sku, far fewer than the reservations an ArenaTable holds.
        final Object[] keys = slots.keySet().toArray();
        return new ChunkCursor()
        {
            private int next;

            @Override
            public boolean next(final int maxRecords, final long wallMs, final LiveConsumer consumer)
            {
                int passed = 0;
                while (next < keys.length && passed < maxRecords)
                {
                    final Slot slot = slots.get(keys[next++]);
                    if (slot != null && slot.retainUntilMs > wallMs)
                    {
                        consumer.accept(slot.key, slot.value, slot.retainUntilMs);
                        passed++;
                    }
                }
                return next < keys.length;
            }
        };
    }

    /** Calls {@code consumer} with every live slot; removes the ones past retention on the way. */
    private void forEachLiveSlot(final long wallMs, final java.util.function.Consumer<Slot> consumer)
    {
        final ArrayList<Slot> lapsed = new ArrayList<>(0);
        for (final Slot slot : slots.values())
        {
            if (slot.retainUntilMs <= wallMs)
            {
                lapsed.add(slot);
            }
            else
            {
                consumer.accept(slot);
            }
        }
        for (final Slot slot : lapsed)
        {
            remove(slot);
        }
    }

    @Override
    void keysAtMost(final String attribute, final long value, final long wallMs, final ArrayList<Object> into)
    {
        if (attribute.equals(spec.indexedAttribute()))
        {
            wheelAtMost(value, wallMs, into);
            return;
        }
        forEachLiveSlot(wallMs, slot ->
        {
            if (spec.attribute(attribute, slot.value) <= value)
            {
                into.add(slot.key);
            }
        });
    }

    /**
     * Lists the slots due by {@code value} from the wheel's buckets up to {@code value}'s, and compacts each bucket it
     * passes: an entry stays while its slot is live and still indexed in that bucket (due or not: the caller may not
     * act on every key it is given), once. An emptied bucket is dropped.
     */
    private void wheelAtMost(final long value, final long wallMs, final ArrayList<Object> into)
    {
        if (earliestBucket == Long.MAX_VALUE)
        {
            return;
        }
        final long lastBucket = Math.floorDiv(value, BUCKET_MS);
        final long scan = ++scans;
        long firstLeft = Long.MAX_VALUE;
        // The buckets to visit: each second from the earliest up to value's when that span is short (the sweep's
        // case), else the wheel's own keys in that span (a scan far ahead, or after a long pause).
        final LongArrayList visit = new LongArrayList();
        if (lastBucket - earliestBucket <= 64)
        {
            for (long bucket = earliestBucket; bucket <= lastBucket; bucket++)
            {
                visit.addLong(bucket);
            }
        }
        else
        {
            final Long2ObjectHashMap<ArrayList<Slot>>.KeyIterator keys = wheel.keySet().iterator();
            while (keys.hasNext())
            {
                final long b = keys.nextLong();
                if (b <= lastBucket)
                {
                    visit.addLong(b);
                }
            }
        }
        for (int v = 0; v < visit.size(); v++)
        {
            final long bucket = visit.getLong(v);
            final ArrayList<Slot> inBucket = wheel.get(bucket);
            if (inBucket == null)
            {
                continue;
            }
            int kept = 0;
            for (int i = 0; i < inBucket.size(); i++)
            {
                final Slot slot = inBucket.get(i);
                if (slot.removed || slot.listedBy == scan || slot.indexed == Long.MAX_VALUE
                    || Math.floorDiv(slot.indexed, BUCKET_MS) != bucket)
                {
                    continue;
                }
                slot.listedBy = scan;
                inBucket.set(kept++, slot);
                if (slot.indexed <= value && slot.retainUntilMs > wallMs)
                {
                    into.add(slot.key);
                }
            }
            inBucket.subList(kept, inBucket.size()).clear();
            if (kept == 0)
            {
                wheel.remove(bucket);
            }
            else
            {
                firstLeft = Math.min(firstLeft, bucket);
            }
        }
        if (earliestBucket != Long.MAX_VALUE && earliestBucket <= lastBucket)
        {
            // Every bucket up to lastBucket was compacted: the earliest left is among them, or after lastBucket.
            earliestBucket = firstLeft != Long.MAX_VALUE ? firstLeft : nextBucketAfter(lastBucket);
            publish();
        }
    }

    /** The first non-empty bucket after {@code bucket} (MAX_VALUE if none): a scan of the wheel's keys. */
    private long nextBucketAfter(final long bucket)
    {
        long next = Long.MAX_VALUE;
        final Long2ObjectHashMap<ArrayList<Slot>>.KeyIterator keys = wheel.keySet().iterator();
        while (keys.hasNext())
        {
            final long b = keys.nextLong();
            if (b > bucket && b < next)
            {
                next = b;
            }
        }
        return next;
    }

    @Override
    void clear()
    {
        slots.clear();
        if (wheel != null)
        {
            wheel.clear();
            earliestBucket = Long.MAX_VALUE;
            publish();
        }
    }
}
