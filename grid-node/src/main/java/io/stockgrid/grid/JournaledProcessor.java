package io.stockgrid.grid;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import io.stockgrid.ingest.GridJournal;

import java.util.Map;

/**
 * An entry processor that journals every change it makes, on the partition thread, as it makes it: so one key's
 * changes reach the journal in exactly the order the grid made them, and a change the grid made is journaled even if
 * the call that caused it never completes. Its backup replica runs it through {@link BackupProcessor}, which applies
 * the same change without journaling it again.
 */
abstract class JournaledProcessor<K, V, R>
    implements EntryProcessor<K, V, R>, IdentifiedDataSerializable, HazelcastInstanceAware
{
    /** Where the node keeps its journal for the grid's processors: Hazelcast's user context. */
    static final String JOURNAL_CONTEXT_KEY = "stockgrid.journal";

    private transient GridJournal journal;

    @Override
    public int getFactoryId()
    {
        return GridSerializers.FACTORY_ID;
    }

    @Override
    public void setHazelcastInstance(final HazelcastInstance hazelcast)
    {
        journal = journalOf(hazelcast);
    }

    /** The journal the node keeps in the member's user context, or null when none is attached. */
    static GridJournal journalOf(final HazelcastInstance hazelcast)
    {
        final Object j = hazelcast.getUserContext().get(JOURNAL_CONTEXT_KEY);
        return j instanceof GridJournal ? (GridJournal)j : null;
    }

    @Override
    public final R process(final Map.Entry<K, V> entry)
    {
        return apply(entry, journal);
    }

    /** Applies the change; journals it when {@code journal} is not null. */
    abstract R apply(Map.Entry<K, V> entry, GridJournal journal);

    @Override
    public EntryProcessor<K, V, R> getBackupProcessor()
    {
        return new BackupProcessor<>(this);
    }

    /** Makes {@code journal} the one the grid's processors on this member journal to (null: none). */
    static void attach(final HazelcastInstance hazelcast, final GridJournal journal)
    {
        if (journal == null)
        {
            hazelcast.getUserContext().remove(JOURNAL_CONTEXT_KEY);
        }
        else
        {
            hazelcast.getUserContext().put(JOURNAL_CONTEXT_KEY, journal);
        }
    }
}
