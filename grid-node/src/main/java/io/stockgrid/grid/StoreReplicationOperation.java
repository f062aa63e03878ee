package io.stockgrid.grid;

import com.hazelcast.internal.serialization.Data;
import com.hazelcast.internal.serialization.impl.HeapData;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.spi.impl.NodeEngine;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One partition's containers, or a chunk of them, on their way to another replica (a migration, or a backup being
 * filled). Built on the partition's thread, where it copies its records into serialised form at once, so later
 * changes of the live records cannot reach it. On the destination the first (or only) one replaces that partition's
 * containers whole, and each later chunk adds its records to them ({@link PartitionStore#newChunkSupplier}). Records
 * arrive without their "journaled here" mark, so the new owner journals each one whole at its first change.
 */
final class StoreReplicationOperation extends StoreOperation
{
    private List<String> tableNames;
    /** Per table: key, record (serialised), retention deadline, repeated. */
    private List<List<Object>> records;
    /** The first (or only) part: it replaces the destination's containers; a later chunk adds to them. */
    private boolean first;

    StoreReplicationOperation()
    {
    }

    /**
     * A chunk: up to {@code maxRecords} records in all, taken from the cursors in table order (the whole partition
     * when {@code maxRecords} is {@link Integer#MAX_VALUE}); marks each table whose cursor it finished.
     */
    StoreReplicationOperation(final NodeEngine engine, final List<String> tableNames,
        final StoreTable.ChunkCursor[] cursors, final boolean[] exhausted, final int maxRecords, final boolean first)
    {
        super("*");
        this.tableNames = tableNames;
        this.first = first;
        this.records = new ArrayList<>(cursors.length);
        final long wallMs = System.currentTimeMillis();
        int room = maxRecords;
        for (int t = 0; t < cursors.length; t++)
        {
            final List<Object> copy = new ArrayList<>();
            if (!exhausted[t] && room > 0)
            {
                exhausted[t] = !cursors[t].next(room, wallMs, copier(engine, copy));
                room -= copy.size() / 3;
            }
            records.add(copy);
        }
    }

    private static StoreTable.LiveConsumer copier(final NodeEngine engine, final List<Object> copy)
    {
        return (key, value, retainUntilMs) ->
        {
            copy.add(key);
            copy.add(engine.toData(value));
            copy.add(retainUntilMs);
        };
    }

    @Override
    public void run()
    {
        final PartitionStore store = store();
        final NodeEngine engine = getNodeEngine();
        final StoreTable[] tables = first ? store.newTables(getPartitionId()) : store.tables(getPartitionId());
        for (int t = 0; t < tableNames.size(); t++)
        {
            final StoreTable table = tables[store.tableIndex(tableNames.get(t))];
            final List<Object> copy = records.get(t);
            for (int i = 0; i < copy.size(); i += 3)
            {
                table.put(copy.get(i), engine.toObject(copy.get(i + 1)), (Long)copy.get(i + 2));
            }
        }
        if (first)
        {
            store.replace(getPartitionId(), tables);
        }
    }

    @Override
    public int getClassId()
    {
        return GridSerializers.STORE_REPLICATION;
    }

    @Override
    protected void writeInternal(final ObjectDataOutput out) throws IOException
    {
        super.writeInternal(out);
        out.writeBoolean(first);
        out.writeInt(tableNames.size());
        for (int t = 0; t < tableNames.size(); t++)
        {
            out.writeString(tableNames.get(t));
            final List<Object> copy = records.get(t);
            out.writeInt(copy.size() / 3);
            for (int i = 0; i < copy.size(); i += 3)
            {
                out.writeObject(copy.get(i));
                out.writeByteArray(((Data)copy.get(i + 1)).toByteArray());
                out.writeLong((Long)copy.get(i + 2));
            }
        }
    }

    @Override
    protected void readInternal(final ObjectDataInput in) throws IOException
    {
        super.readInternal(in);
        first = in.readBoolean();
        final int tables = in.readInt();
        tableNames = new ArrayList<>(tables);
        records = new ArrayList<>(tables);
        for (int t = 0; t < tables; t++)
        {
            tableNames.add(in.readString());
            final int count = in.readInt();
            final List<Object> copy = new ArrayList<>(count * 3);
            for (int i = 0; i < count; i++)
            {
                copy.add(in.readObject());
                copy.add(new HeapData(in.readByteArray()));
                copy.add(in.readLong());
            }
            records.add(copy);
        }
    }
}
