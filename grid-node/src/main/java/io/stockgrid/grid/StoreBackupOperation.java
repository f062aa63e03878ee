package io.stockgrid.grid;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.spi.impl.operationservice.BackupOperation;

import java.io.IOException;

/**
 * The backup of a {@link StoreApplyOperation}: the backup processors of its commands, applied in the same order to
 * the backup replica. Deterministic: the replica held the same state the primary's commands saw.
 */
final class StoreBackupOperation extends StoreOperation implements BackupOperation
{
    private Object[] keys;
    /** Per key, per command: the backup processor, or null when that command needs none. */
    private EntryProcessor<Object, Object, Object>[][] processors;

    StoreBackupOperation()
    {
    }

    StoreBackupOperation(final String table, final Object[] keys,
        final EntryProcessor<Object, Object, Object>[][] processors)
    {
        super(table);
        this.keys = keys;
        this.processors = processors;
    }

    @Override
    public void run()
    {
        final StoreTable storeTable = storeTable();
        final long wallMs = System.currentTimeMillis();
        final StoreTable.Entry entry = new StoreTable.Entry();
        for (int i = 0; i < keys.length; i++)
        {
            final EntryProcessor<Object, Object, Object>[] onKey = processors[i];
            if (onKey == null)
            {
                continue;
            }
            entry.at(storeTable, keys[i], wallMs);
            for (final EntryProcessor<Object, Object, Object> processor : onKey)
            {
                if (processor != null)
                {
                    processor.process(entry);
                }
            }
        }
    }

    @Override
    public int getClassId()
    {
        return GridSerializers.STORE_BACKUP;
    }

    @Override
    protected void writeInternal(final ObjectDataOutput out) throws IOException
    {
        super.writeInternal(out);
        writeKeysAndProcessors(out, keys, processors);
    }

    @Override
    @SuppressWarnings("unchecked")
    protected void readInternal(final ObjectDataInput in) throws IOException
    {
        super.readInternal(in);
        keys = new Object[in.readInt()];
        processors = new EntryProcessor[keys.length][];
        readKeysAndProcessors(in, keys, processors);
    }

    /** Keys with their processors; a key without any (null row) is written with count -1, a null processor as null. */
    static void writeKeysAndProcessors(final ObjectDataOutput out, final Object[] keys,
        final EntryProcessor<Object, Object, Object>[][] processors) throws IOException
    {
        out.writeInt(keys.length);
        for (int i = 0; i < keys.length; i++)
        {
            out.writeObject(keys[i]);
            final EntryProcessor<Object, Object, Object>[] onKey = processors[i];
            out.writeInt(onKey == null ? -1 : onKey.length);
            if (onKey != null)
            {
                for (final EntryProcessor<Object, Object, Object> processor : onKey)
                {
                    out.writeObject(processor);
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    static void readKeysAndProcessors(final ObjectDataInput in, final Object[] keys,
        final EntryProcessor<Object, Object, Object>[][] processors) throws IOException
    {
        for (int i = 0; i < keys.length; i++)
        {
            keys[i] = in.readObject();
            final int count = in.readInt();
            if (count >= 0)
            {
                processors[i] = new EntryProcessor[count];
                for (int j = 0; j < count; j++)
                {
                    processors[i][j] = in.readObject();
                }
            }
        }
    }
}
