package io.stockgrid.grid;

import com.hazelcast.internal.serialization.Data;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.impl.operation.MultipleEntryOperation;

import java.util.Set;

/**
 * Hazelcast's multi-key entry-processor operation, with the map's configured <em>synchronous</em> backups.
 * <p>
 * {@link MultipleEntryOperation} (what {@code IMap.executeOnKeys} sends to each partition) declares every backup
 * asynchronous: its invocation answers as soon as the primary has run, whatever the map's {@code backup-count}
 * says. A change acknowledged that way is lost if its primary dies, or is cut off by a split, before the backup
 * lands. This operation declares the map's synchronous and asynchronous counts as a single-key entry operation does,
 * so the invocation waits for the backup's acknowledgement and, with
 * {@code hazelcast.operation.fail.on.indeterminate.state}, fails when it does not come.
 */
public final class SyncBackupEntryOperation extends MultipleEntryOperation
{
    /** For deserialisation. */
    public SyncBackupEntryOperation()
    {
    }

    SyncBackupEntryOperation(final String name, final Set<Data> keys, final EntryProcessor<?, ?, ?> processor)
    {
        super(name, keys, processor);
    }

    @Override
    public int getSyncBackupCount()
    {
        return mapContainer.getBackupCount();
    }

    @Override
    public int getAsyncBackupCount()
    {
        return mapContainer.getAsyncBackupCount();
    }

    @Override
    public int getFactoryId()
    {
        return GridSerializers.FACTORY_ID;
    }

    @Override
    public int getClassId()
    {
        return GridSerializers.SYNC_BACKUP_ENTRY_OPERATION;
    }
}
