package io.stockgrid.grid;

import com.hazelcast.map.ExtendedMapEntry;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.ToLongFunction;

/**
 * One table's records in one partition of the {@link PartitionStore}: the live record objects by key, each with its
 * retention deadline, and an optional sorted index over one long attribute (the expiry sweep's
 * {@code heldUntilMs}). Touched only on the partition's thread (operations, migration), so it takes no locks.
 * <p>
 * Records whose retention ended are forgotten lazily: a lookup that finds one removes it, and
 * {@link #forEachLive} (the sweep's scans) removes the ones it passes. A processor changes a record in place and calls
 * {@code setValue}; the slot keeps the indexed attribute's value at the last {@code setValue}, so the index is exact
 * however the record was changed.
 */
final class StoreTable
{
    /** What one table stores: its name, the long attributes queries may name, and the one kept in a sorted index. */
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
        final long seq;
        Object value;
        long retainUntilMs = Long.MAX_VALUE;
        long indexed = Long.MAX_VALUE;

        Slot(final Object key, final long seq)
        {
            this.key = key;
            this.seq = seq;
        }
    }

    private static final Comparator<Slot> BY_INDEXED =
        Comparator.<Slot>comparingLong(s -> s.indexed).thenComparingLong(s -> s.seq);

    private final Spec spec;
    private final HashMap<Object, Slot> slots = new HashMap<>();
    private final TreeSet<Slot> index;
    private final ToLongFunction<Object> indexGetter;
    private long nextSeq;

    StoreTable(final Spec spec)
    {
        this.spec = spec;
        this.index = spec.indexedAttribute() == null ? null : new TreeSet<>(BY_INDEXED);
        this.indexGetter = spec.indexedAttribute() == null ? null : spec.attributes().get(spec.indexedAttribute());
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
            slot = new Slot(key, nextSeq++);
            slots.put(key, slot);
        }
        slot.value = value;
        slot.retainUntilMs = retainUntilMs;
        reindex(slot);
    }

    private void remove(final Slot slot)
    {
        slots.remove(slot.key);
        if (index != null && slot.indexed != Long.MAX_VALUE)
        {
            index.remove(slot);
        }
    }

    private void reindex(final Slot slot)
    {
        if (index == null)
        {
            return;
        }
        final long now = indexGetter.applyAsLong(slot.value);
        if (now == slot.indexed)
        {
            return;
        }
        if (slot.indexed != Long.MAX_VALUE)
        {
            index.remove(slot);
        }
        slot.indexed = now;
        if (now != Long.MAX_VALUE)
        {
            index.add(slot);
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

    /** Keys whose {@code attribute} is at most {@code value}: from the index when it is the indexed one. */
    void keysAtMost(final String attribute, final long value, final long wallMs, final ArrayList<Object> into)
    {
        if (attribute.equals(spec.indexedAttribute()))
        {
            for (final Slot slot : index)
            {
                if (slot.indexed > value)
                {
                    break;
                }
                if (slot.retainUntilMs > wallMs)
                {
                    into.add(slot.key);
                }
            }
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

    void clear()
    {
        slots.clear();
        if (index != null)
        {
            index.clear();
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
