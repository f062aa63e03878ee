package io.stockgrid.grid;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;

import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.ToLongFunction;

/**
 * One table's records in one partition of the {@link PartitionStore}, with each record's retention deadline and an
 * optional expiry wheel over one long attribute (the expiry sweep's {@code heldUntilMs}). Touched only on the
 * partition's thread (operations, migration), so it takes no locks. Two kinds:
 * <ul>
 *     <li>{@link ObjectTable}: the live record objects (stock records, whose processors change them in place);</li>
 *     <li>{@link ArenaTable}: records kept serialised in large byte arrays with a primitive index (reservations: a
 *     million and more of them, each written two or three times and then kept for the retention period). A change
 *     stores no reference from an old object to a young one, so the collector has no old-generation cards to scan
 *     for it.</li>
 * </ul>
 * Records whose retention ended are forgotten lazily: a lookup that finds one removes it, and scans remove the ones
 * they pass. Processors see a record through {@link Entry}; a change is stored by {@code setValue}.
 */
abstract class StoreTable
{
    /** Width of one bucket of the expiry wheel. */
    static final long BUCKET_MS = 1_000;

    /**
     * What one table stores: its name, the long attributes queries may name, the one kept in the wheel, and whether
     * its records are kept serialised ({@link ArenaTable}; they must be changed only through {@code setValue}).
     */
    record Spec(String name, Map<String, ToLongFunction<Object>> attributes, String indexedAttribute, boolean compact)
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

        Spec(final String name, final Map<String, ToLongFunction<Object>> attributes, final String indexedAttribute)
        {
            this(name, attributes, indexedAttribute, false);
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

    /** How an {@link ArenaTable} turns records into bytes and back. */
    interface Codec
    {
        /**
         * Encodes {@code value} into a buffer the codec keeps and returns how many bytes it took: they are
         * {@link #encoded()}{@code [0, length)}, valid until the codec's next call (a table's codec is used only on its
         * partition thread). No array per record: the table copies the bytes straight into its arena.
         */
        int encode(Object value);

        /** The buffer the last {@link #encode} wrote into. */
        byte[] encoded();

        Object decode(byte[] bytes, int offset, int length);
    }

    /** A live record met by a scan. */
    interface LiveConsumer
    {
        void accept(Object key, Object value, long retainUntilMs);
    }

    final Spec spec;
    final ToLongFunction<Object> indexGetter;
    /** Where {@link #earliestIndexedMs()} is published for other threads, and at which index (null: not published). */
    private final AtomicLongArray published;
    private final int publishedAt;

    StoreTable(final Spec spec, final AtomicLongArray published, final int publishedAt)
    {
        this.spec = spec;
        this.published = published;
        this.publishedAt = publishedAt;
        this.indexGetter = spec.indexedAttribute() == null ? null : spec.attributes().get(spec.indexedAttribute());
    }

    /**
     * Records this table takes before it refuses a new one (a {@link CreatesRecord} command on an absent key);
     * set by the {@link PartitionStore} from {@code --max-reservations}. Records already there are never dropped.
     */
    int capacity = Integer.MAX_VALUE;

    Spec spec()
    {
        return spec;
    }

    boolean atCapacity()
    {
        return size() >= capacity;
    }

    abstract int size();

    /**
     * The record of {@code key} (the live object, or a decoded copy for an {@link ArenaTable}), or null; a record
     * past its retention is removed and not returned.
     */
    abstract Object get(Object key, long wallMs);

    /** The retention deadline of the record the last {@link #get} returned. */
    abstract long lastRetainUntilMs();

    abstract void put(Object key, Object value, long retainUntilMs);

    abstract void remove(Object key);

    /** Calls {@code consumer} with every live record; removes the ones past retention on the way. */
    abstract void forEachLive(long wallMs, LiveConsumer consumer);

    /**
     * A walk over the live records, a chunk at a time ({@link #chunkCursor}). It stays valid between chunks while the
     * table takes no new records, as while its partition migrates (Hazelcast refuses mutating operations then):
     * records removed meanwhile (a read dropping one past retention) are skipped, and it removes none itself.
     */
    interface ChunkCursor
    {
        /** Passes up to {@code maxRecords} live records to {@code consumer}; false once every record was passed. */
        boolean next(int maxRecords, long wallMs, LiveConsumer consumer);
    }

    /** A walk over the live records in chunks, for migration; partition thread only. */
    abstract ChunkCursor chunkCursor();

    /** Keys whose {@code attribute} is at most {@code value}: from the wheel when it is the indexed one. */
    abstract void keysAtMost(String attribute, long value, long wallMs, ArrayList<Object> into);

    /**
     * The earliest time any record of this table may be due by its indexed attribute (MAX_VALUE: none); never later
     * than the truth. Published for the sweep, which skips partitions with nothing due without an operation.
     */
    abstract long earliestIndexedMs();

    abstract void clear();

    /** Live records' values in their copy-safe form: a decoded copy already, or the live object. */
    final boolean valuesAreCopies()
    {
        return spec.compact();
    }

    final void publish()
    {
        if (published != null)
        {
            published.lazySet(publishedAt, earliestIndexedMs());
        }
    }

    /** A table of the kind its spec asks for. */
    static StoreTable of(final Spec spec, final Codec codec, final AtomicLongArray published, final int publishedAt)
    {
        return spec.compact() ? new ArenaTable(spec, codec, published, publishedAt) :
            new ObjectTable(spec, published, publishedAt);
    }

    /**
     * The {@code Map.Entry} a processor sees: reused for every key an operation touches. {@code setValue(null)}
     * removes the record; {@code setValue(v, ttl, unit)} also sets its retention.
     */
    static final class Entry implements ExtendedMapEntry<Object, Object>
    {
        private StoreTable table;
        private Object key;
        private Object value;
        private long retainUntilMs;
        private long wallMs;

        Entry at(final StoreTable table, final Object key, final long wallMs)
        {
            this.table = table;
            this.key = key;
            this.wallMs = wallMs;
            this.value = table.get(key, wallMs);
            this.retainUntilMs = value == null ? Long.MAX_VALUE : table.lastRetainUntilMs();
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
            return value;
        }

        @Override
        public Object setValue(final Object value)
        {
            return store(value, this.value == null ? Long.MAX_VALUE : retainUntilMs);
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

        private Object store(final Object newValue, final long newRetainUntilMs)
        {
            final Object old = value;
            if (newValue == null)
            {
                if (old != null)
                {
                    table.remove(key);
                }
            }
            else
            {
                table.put(key, newValue, newRetainUntilMs);
                retainUntilMs = newRetainUntilMs;
            }
            value = newValue;
            return old;
        }
    }

    /** Removes a record (tests clear a table with it); its backup removes it from the backup replica. */
    static final class Remove implements EntryProcessor<Object, Object, Boolean>, IdentifiedDataSerializable
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
        public void writeData(final ObjectDataOutput out)
        {
        }

        @Override
        public void readData(final ObjectDataInput in)
        {
        }
    }
}
