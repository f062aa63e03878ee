package io.stockgrid.grid;

import com.hazelcast.map.ExtendedMapEntry;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongArrayList;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.BiConsumer;
import java.util.function.ToLongFunction;

/**
 * One table's records in one partition of the {@link PartitionStore}: the live record objects by key, each with its
 * retention deadline, and an optional expiry wheel over one long attribute (the expiry sweep's
 * {@code heldUntilMs}). Touched only on the partition's thread (operations, migration), so it takes no locks.
 * <p>
 * Records whose retention ended are forgotten lazily: a lookup that finds one removes it, and
 * {@link #forEachLive} (the sweep's scans) removes the ones it passes. A processor changes a record in place and calls
 * {@code setValue}; the slot keeps the indexed attribute's value at the last {@code setValue}, so the index is exact
 * however the record was changed.
 */
final class StoreTable
{
    /** What one table stores: its name, the long attributes queries may name, and the one kept in the wheel. */
    record Spec(String name, Map<String, ToLongFunction<Object>> attributes, String indexedAttribute)
    {
        Spec
        {
            attributes = Map.copyOf(attributes);
            if (indexedAttribute != null && !attributes.containsKey(indexedAttribute))
            {
                throw new IllegalArgumentException("table " + name + ": indexed attribute " + indexedAttribute
                    + " is not one of its attributes " + attributes.keySet());
            }
        }

        long attribute(final String attribute, final Object value)
        {
            final ToLongFunction<Object> getter = attributes.get(attribute);
            if (getter == null)
            {
                throw new IllegalArgumentException("table " + name + " has no attribute " + attribute);
            }
            return getter.applyAsLong(value);
        }
    }

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

    /** Width of one bucket of the expiry wheel. */
    static final long BUCKET_MS = 1_000;

    private final Spec spec;
    private final HashMap<Object, Slot> slots = new HashMap<>();
    /**
     * The expiry wheel over the indexed attribute: bucket (value / {@link #BUCKET_MS}) -> the slots put there. A slot
     * is added to its bucket when its indexed value changes and never removed on the spot: a scan drops the entries
     * whose slot has moved on or is gone. Adding is O(1) with no tree to rebalance (a sorted tree here cost about a
     * sixth of the partition threads' time under load).
     */
    private final Long2ObjectHashMap<ArrayList<Slot>> wheel;
    private final ToLongFunction<Object> indexGetter;
    /** No bucket before this one holds a slot. */
    private long earliestBucket = Long.MAX_VALUE;
    private long scans;

    /** Where {@link #earliestIndexedMs()} is published for other threads, and at which index (null: not published). */
    private final AtomicLongArray published;
    private final int publishedAt;

    StoreTable(final Spec spec)
    {
        this(spec, null, 0);
    }

    StoreTable(final Spec spec, final AtomicLongArray published, final int publishedAt)
    {
        this.spec = spec;
        this.published = published;
        this.publishedAt = publishedAt;
        this.wheel = spec.indexedAttribute() == null ? null : new Long2ObjectHashMap<>();
        this.indexGetter = spec.indexedAttribute() == null ? null : spec.attributes().get(spec.indexedAttribute());
    }

    /**
     * The earliest time any record of this table may be due by its indexed attribute (MAX_VALUE: none); never later
     * than the truth. Read by the sweep, without an operation, to skip partitions with nothing due.
     */
    long earliestIndexedMs()
    {
        return earliestBucket == Long.MAX_VALUE ? Long.MAX_VALUE : earliestBucket * BUCKET_MS;
    }

    Spec spec()
    {
        return spec;
    }

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

    /** Calls {@code consumer} with every live record; removes the ones past retention on the way. */
    void forEachLive(final long wallMs, final BiConsumer<Object, Object> consumer)
    {
        forEachLiveSlot(wallMs, slot -> consumer.accept(slot.key, slot.value));
    }

    /** Calls {@code consumer} with every live slot; removes the ones past retention on the way. */
    void forEachLiveSlot(final long wallMs, final java.util.function.Consumer<Slot> consumer)
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

    /** Keys whose {@code attribute} is at most {@code value}: from the wheel when it is the indexed one. */
    void keysAtMost(final String attribute, final long value, final long wallMs, final ArrayList<Object> into)
    {
        if (attribute.equals(spec.indexedAttribute()))
        {
            wheelAtMost(value, wallMs, into);
            return;
        }
        forEachLive(wallMs, (k, v) ->
        {
            if (spec.attribute(attribute, v) <= value)
            {
                into.add(k);
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

    private void publish()
    {
        if (published != null)
        {
            published.lazySet(publishedAt, earliestIndexedMs());
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

    /**
     * The {@code Map.Entry} a processor sees: reused for every key an operation touches. {@code setValue(null)}
     * removes the record; {@code setValue(v, ttl, unit)} also sets its retention.
     */
    static final class Entry implements ExtendedMapEntry<Object, Object>
    {
        private StoreTable table;
        private Object key;
        private Slot slot;
        private long wallMs;

        Entry at(final StoreTable table, final Object key, final long wallMs)
        {
            this.table = table;
            this.key = key;
            this.wallMs = wallMs;
            this.slot = table.find(key, wallMs);
            return this;
        }

        @Override
        public Object getKey()
        {
            return key;
        }

        @Override
        public Object getValue()
        {
            return slot == null ? null : slot.value;
        }

        @Override
        public Object setValue(final Object value)
        {
            return store(value, slot == null ? Long.MAX_VALUE : slot.retainUntilMs);
        }

        @Override
        public Object setValue(final Object value, final long ttl, final TimeUnit unit)
        {
            return store(value, ttl <= 0 ? Long.MAX_VALUE : wallMs + unit.toMillis(ttl));
        }

        @Override
        public Object setValueWithoutChangingExpiryTime(final Object value)
        {
            return setValue(value);
        }

        private Object store(final Object value, final long retainUntilMs)
        {
            final Object old = getValue();
            if (value == null)
            {
                if (slot != null)
                {
                    table.remove(slot);
                    slot = null;
                }
                return old;
            }
            table.put(key, value, retainUntilMs);
            slot = table.slots.get(key);
            return old;
        }
    }

    /** Removes a record (tests clear a table with it); its backup removes it from the backup replica. */
    static final class Remove implements com.hazelcast.map.EntryProcessor<Object, Object, Boolean>,
        com.hazelcast.nio.serialization.IdentifiedDataSerializable
    {
        @Override
        public Boolean process(final Map.Entry<Object, Object> entry)
        {
            final boolean present = entry.getValue() != null;
            entry.setValue(null);
            return present;
        }

        @Override
        public int getFactoryId()
        {
            return GridSerializers.FACTORY_ID;
        }

        @Override
        public int getClassId()
        {
            return GridSerializers.STORE_REMOVE;
        }

        @Override
        public void writeData(final com.hazelcast.nio.ObjectDataOutput out)
        {
        }

        @Override
        public void readData(final com.hazelcast.nio.ObjectDataInput in)
        {
        }
    }
}
