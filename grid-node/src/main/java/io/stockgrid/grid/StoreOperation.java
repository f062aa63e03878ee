package io.stockgrid.grid;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import com.hazelcast.spi.impl.operationservice.NamedOperation;
import com.hazelcast.spi.impl.operationservice.Operation;
import com.hazelcast.spi.impl.operationservice.PartitionAwareOperation;

import java.io.IOException;

/** An operation of the {@link PartitionStore} on one table of one partition; runs on the partition's thread. */
abstract class StoreOperation extends Operation
    implements PartitionAwareOperation, IdentifiedDataSerializable, NamedOperation
{
    String table;

    StoreOperation()
    {
    }

    StoreOperation(final String table)
    {
        this.table = table;
    }

    PartitionStore store()
    {
        return getService();
    }

    StoreTable storeTable()
    {
        final PartitionStore store = store();
        return store.table(getPartitionId(), store.tableIndex(table));
    }

    @Override
    public String getServiceName()
    {
        return PartitionStore.SERVICE_NAME;
    }

    @Override
    public String getName()
    {
        return table;
    }

    @Override
    public int getFactoryId()
    {
        return GridSerializers.FACTORY_ID;
    }

    @Override
    protected void writeInternal(final ObjectDataOutput out) throws IOException
    {
        out.writeString(table);
    }

    @Override
    protected void readInternal(final ObjectDataInput in) throws IOException
    {
        table = in.readString();
    }
}
