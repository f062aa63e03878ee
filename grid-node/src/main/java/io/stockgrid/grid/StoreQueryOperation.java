package io.stockgrid.grid;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.spi.impl.NodeEngine;
import com.hazelcast.spi.impl.operationservice.ReadonlyOperation;

import java.io.IOException;
import java.util.ArrayList;

/**
 * A read of one table in one partition, on its thread: copies of some records ({@link Kind#GET}), every key
 * ({@link Kind#KEYS}), or the keys whose attribute is at most a value ({@link Kind#KEYS_AT_MOST}). Records are copied
 * (serialised and read back) on the partition thread, so a caller never sees a live record change under it.
 */
final class StoreQueryOperation extends StoreOperation implements ReadonlyOperation
{
    enum Kind
    {
        GET(1), KEYS(2), KEYS_AT_MOST(3);

        final int code;

        Kind(final int code)
        {
            this.code = code;
        }

        static Kind of(final int code)
        {
            for (final Kind k : values())
            {
                if (k.code == code)
                {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown query kind " + code);
        }
    }

    private Kind kind;
    private Object[] keys;
    private String attribute;
    private long value;
    private transient ArrayList<Object> response;

    StoreQueryOperation()
    {
    }

    private StoreQueryOperation(final String table, final Kind kind, final Object[] keys, final String attribute,
        final long value)
    {
        super(table);
        this.kind = kind;
        this.keys = keys;
        this.attribute = attribute;
        this.value = value;
    }

    static StoreQueryOperation get(final String table, final Object[] keys)
    {
        return new StoreQueryOperation(table, Kind.GET, keys, "", 0);
    }

    static StoreQueryOperation keys(final String table)
    {
        return new StoreQueryOperation(table, Kind.KEYS, new Object[0], "", 0);
    }

    static StoreQueryOperation keysAtMost(final String table, final String attribute, final long value)
    {
        return new StoreQueryOperation(table, Kind.KEYS_AT_MOST, new Object[0], attribute, value);
    }

    @Override
    public void run()
    {
        final StoreTable storeTable = storeTable();
        final long wallMs = System.currentTimeMillis();
        final NodeEngine engine = getNodeEngine();
        switch (kind)
        {
            case GET ->
            {
                // Pairs: key, copy of its record (absent keys are left out).
                response = new ArrayList<>(keys.length * 2);
                for (final Object key : keys)
                {
                    final Object value = storeTable.get(key, wallMs);
                    if (value != null)
                    {
                        response.add(key);
                        response.add(storeTable.valuesAreCopies() ? value : engine.toObject(engine.toData(value)));
                    }
                }
            }
            case KEYS ->
            {
                response = new ArrayList<>(storeTable.size());
                storeTable.forEachLive(wallMs, (k, v, r) -> response.add(k));
            }
            case KEYS_AT_MOST ->
            {
                response = new ArrayList<>();
                storeTable.keysAtMost(attribute, value, wallMs, response);
            }
            default -> throw new IllegalStateException("unknown query kind " + kind);
        }
    }

    @Override
    public Object getResponse()
    {
        return response;
    }

    @Override
    public int getClassId()
    {
        return GridSerializers.STORE_QUERY;
    }

    @Override
    protected void writeInternal(final ObjectDataOutput out) throws IOException
    {
        super.writeInternal(out);
        out.writeInt(kind.code);
        out.writeString(attribute);
        out.writeLong(value);
        out.writeInt(keys.length);
        for (final Object key : keys)
        {
            out.writeObject(key);
        }
    }

    @Override
    protected void readInternal(final ObjectDataInput in) throws IOException
    {
        super.readInternal(in);
        kind = Kind.of(in.readInt());
        attribute = in.readString();
        value = in.readLong();
        keys = new Object[in.readInt()];
        for (int i = 0; i < keys.length; i++)
        {
            keys[i] = in.readObject();
        }
    }
}
