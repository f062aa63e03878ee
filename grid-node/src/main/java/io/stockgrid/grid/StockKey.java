package io.stockgrid.grid;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;

import java.io.IOException;

/** The grid key of one (sku, location) ATP record; its serialised form decides the partition. */
public final class StockKey implements IdentifiedDataSerializable
{
    private String sku;
    private String location;
    /** {@code 31 * (31 + sku.hashCode()) + location.hashCode()} (what {@code Objects.hash} gives), computed once. */
    private transient int hash;

    public StockKey()
    {
    }

    public StockKey(final String sku, final String location)
    {
        this.sku = sku;
        this.location = location;
    }

    public String getSku()
    {
        return sku;
    }

    public String getLocation()
    {
        return location;
    }

    @Override
    public int getFactoryId()
    {
        return GridSerializers.FACTORY_ID;
    }

    @Override
    public int getClassId()
    {
        return GridSerializers.STOCK_KEY;
    }

    @Override
    public void writeData(final ObjectDataOutput out) throws IOException
    {
        out.writeString(sku);
        out.writeString(location);
    }

    @Override
    public void readData(final ObjectDataInput in) throws IOException
    {
        sku = in.readString();
        location = in.readString();
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof StockKey k && hashCode() == k.hashCode() && sku.equals(k.sku) && location.equals(k.location);
    }

    @Override
    public int hashCode()
    {
        // The same value Objects.hash(sku, location) gives (the partition engine places keys by it), without its
        // varargs array, computed once per key object.
        int h = hash;
        if (h == 0)
        {
            h = 31 * (31 + sku.hashCode()) + location.hashCode();
            hash = h;
        }
        return h;
    }

    @Override
    public String toString()
    {
        return sku + '@' + location;
    }
}
