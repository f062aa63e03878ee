package io.stockgrid.grid;

import com.hazelcast.internal.services.ServiceNamespace;
import com.hazelcast.internal.services.ServiceNamespaceAware;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import com.hazelcast.spi.impl.operationservice.NamedOperation;
import com.hazelcast.spi.impl.operationservice.Operation;
import com.hazelcast.spi.impl.operationservice.PartitionAwareOperation;

import java.io.IOException;

/**
 * An operation of the {@link PartitionStore} on one table of one partition; runs on the partition's thread. Every one
 * names the service's replica namespace ({@link PartitionStore#NAMESPACE}): a backup counts under it, and a backup
 * replica that fell behind is re-synced by it.
 */
abstract class StoreOperation extends Operation
    implements PartitionAwareOperation, IdentifiedDataSerializable, NamedOperation, ServiceNamespaceAware
{
    String table;

    StoreOperation()
    {
    }

    StoreOperation(final String table)
    {
        this.table = table;
    }

    @Override
    public ServiceNamespace getServiceNamespace()
    {
        return PartitionStore.NAMESPACE;
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
