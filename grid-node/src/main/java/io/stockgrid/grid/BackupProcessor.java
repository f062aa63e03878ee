package io.stockgrid.grid;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;

import java.io.IOException;
import java.util.Map;

/**
 * Runs a {@link JournaledProcessor} on a backup replica: the same deterministic change, not journaled (the primary
 * journaled it).
 */
public final class BackupProcessor<K, V, R> implements EntryProcessor<K, V, R>, IdentifiedDataSerializable
{
    private JournaledProcessor<K, V, R> delegate;

    public BackupProcessor()
    {
    }

    BackupProcessor(final JournaledProcessor<K, V, R> delegate)
    {
        this.delegate = delegate;
    }

    @Override
    public R process(final Map.Entry<K, V> entry)
    {
        return delegate.apply(entry, null);
    }

    @Override
    public EntryProcessor<K, V, R> getBackupProcessor()
    {
        return null;
    }

    @Override
    public int getFactoryId()
    {
        return GridSerializers.FACTORY_ID;
    }

    @Override
    public int getClassId()
    {
        return GridSerializers.BACKUP;
    }

    @Override
    public void writeData(final ObjectDataOutput out) throws IOException
    {
        out.writeObject(delegate);
    }

    @Override
    public void readData(final ObjectDataInput in) throws IOException
    {
        delegate = in.readObject();
    }
}
