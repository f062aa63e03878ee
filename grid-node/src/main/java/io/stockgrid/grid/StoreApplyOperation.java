package io.stockgrid.grid;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.spi.impl.operationservice.BackupAwareOperation;
import com.hazelcast.spi.impl.operationservice.MutatingOperation;
import com.hazelcast.spi.impl.operationservice.Operation;

import java.io.IOException;
import java.util.ArrayList;

/**
 * Runs, for each of its keys in one partition, that key's entry processors in order, and answers their results in
 * the same order: every command of a batch that falls in this partition, in one operation. Its backup
 * ({@link StoreBackupOperation}) carries each processor's backup processor (for a {@link JournaledProcessor}, the
 * same deterministic change without journaling it) and Hazelcast waits for it before the caller hears the answer.
 */
final class StoreApplyOperation extends StoreOperation implements BackupAwareOperation, MutatingOperation
{
    private Object[] keys;
    private EntryProcessor<Object, Object, Object>[][] processors;
    private transient ArrayList<ArrayList<Object>> results;
    /** Some command here changes state on its backup (decided without building the backups: see getBackupOperation). */
    private transient boolean mayBackup;
    /** Per key, per command: refused at capacity (not run, no backup); null while none was. */
    private transient boolean[][] refused;

    StoreApplyOperation()
    {
    }

    StoreApplyOperation(final String table, final Object[] keys,
        final EntryProcessor<Object, Object, Object>[][] processors)
    {
        super(table);
        this.keys = keys;
        this.processors = processors;
    }

    @Override
    public void run()
    {
        if (changesState())
        {
            store().ensureWritable(getPartitionId());
        }
        final StoreTable storeTable = storeTable();
        final HazelcastInstance hazelcast = getNodeEngine().getHazelcastInstance();
        final long wallMs = System.currentTimeMillis();
        final StoreTable.Entry entry = new StoreTable.Entry();
        results = new ArrayList<>(keys.length);
        for (int i = 0; i < keys.length; i++)
        {
            entry.at(storeTable, keys[i], wallMs);
            final EntryProcessor<Object, Object, Object>[] onKey = processors[i];
            final ArrayList<Object> keyResults = new ArrayList<>(onKey.length);
            for (int j = 0; j < onKey.length; j++)
            {
                final EntryProcessor<Object, Object, Object> processor = onKey[j];
                if (processor instanceof CreatesRecord creator && entry.getValue() == null
                    && storeTable.atCapacity())
                {
                    // Not run, and no backup of it: the replicas stay alike whatever their sizes.
                    keyResults.add(creator.refusedAtCapacity());
                    refuse(i, j);
                    continue;
                }
                if (processor instanceof HazelcastInstanceAware aware)
                {
                    // A local operation runs this very object (no deserialisation injected the instance).
                    aware.setHazelcastInstance(hazelcast);
                }
                keyResults.add(processor.process(entry));
                mayBackup |= changesState(processor);
            }
            results.add(keyResults);
        }
    }

    /** Whether some command here may change state (decided before running any, without allocating). */
    private boolean changesState()
    {
        for (final EntryProcessor<Object, Object, Object>[] onKey : processors)
        {
            for (final EntryProcessor<Object, Object, Object> processor : onKey)
            {
                if (changesState(processor))
                {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Whether a command changes state on its backup: a JournaledProcessor always does (building its backup allocates;
     * it is built only when a backup replica exists); any other processor says so itself, without allocating.
     */
    private static boolean changesState(final EntryProcessor<Object, Object, Object> processor)
    {
        return processor instanceof JournaledProcessor || processor.getBackupProcessor() != null;
    }

    private void refuse(final int key, final int command)
    {
        if (refused == null)
        {
            refused = new boolean[keys.length][];
        }
        if (refused[key] == null)
        {
            refused[key] = new boolean[processors[key].length];
        }
        refused[key][command] = true;
        store().recordRefusedAtCapacity();
    }

    @Override
    public Object getResponse()
    {
        return results;
    }

    @Override
    public boolean shouldBackup()
    {
        return mayBackup;
    }

    @Override
    public int getSyncBackupCount()
    {
        return store().backupCount();
    }

    @Override
    public int getAsyncBackupCount()
    {
        return 0;
    }

    /** Called by Hazelcast only when a backup replica exists (never on a single member). */
    @Override
    @SuppressWarnings("unchecked")
    public Operation getBackupOperation()
    {
        final EntryProcessor<Object, Object, Object>[][] backups = new EntryProcessor[keys.length][];
        for (int i = 0; i < keys.length; i++)
        {
            final EntryProcessor<Object, Object, Object>[] onKey = processors[i];
            for (int j = 0; j < onKey.length; j++)
            {
                if (refused != null && refused[i] != null && refused[i][j])
                {
                    continue;
                }
                final EntryProcessor<Object, Object, Object> backup = onKey[j].getBackupProcessor();
                if (backup != null)
                {
                    if (backups[i] == null)
                    {
                        backups[i] = new EntryProcessor[onKey.length];
                    }
                    backups[i][j] = backup;
                }
            }
        }
        return new StoreBackupOperation(table, keys, backups);
    }

    @Override
    public int getClassId()
    {
        return GridSerializers.STORE_APPLY;
    }

    @Override
    protected void writeInternal(final ObjectDataOutput out) throws IOException
    {
        super.writeInternal(out);
        StoreBackupOperation.writeKeysAndProcessors(out, keys, processors);
    }

    @Override
    @SuppressWarnings("unchecked")
    protected void readInternal(final ObjectDataInput in) throws IOException
    {
        super.readInternal(in);
        keys = new Object[in.readInt()];
        processors = new EntryProcessor[keys.length][];
        StoreBackupOperation.readKeysAndProcessors(in, keys, processors);
    }
}
