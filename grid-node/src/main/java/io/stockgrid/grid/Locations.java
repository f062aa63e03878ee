package io.stockgrid.grid;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;

import java.io.IOException;
import java.util.Map;
import java.util.TreeSet;

/**
 * The registry of a SKU's locations, in the {@code locations} map (sku -> the locations that have a stock record),
 * so that "availability of a SKU over every location" reads exactly those records instead of querying an index that
 * every stock change would have to maintain. It changes only when a (sku, location) record is first created, and
 * is derived state: rebuilt from the stock records at restore, never journaled.
 */
public final class Locations
{
    private Locations()
    {
    }

    /** The locations of one SKU, in name order. */
    public static final class Set implements IdentifiedDataSerializable
    {
        private final TreeSet<String> names = new TreeSet<>();

        public Set()
        {
        }

        public java.util.Set<String> names()
        {
            return names;
        }

        @Override
        public int getFactoryId()
        {
            return GridSerializers.FACTORY_ID;
        }

        @Override
        public int getClassId()
        {
            return GridSerializers.LOCATION_SET;
        }

        @Override
        public void writeData(final ObjectDataOutput out) throws IOException
        {
            out.writeInt(names.size());
            for (final String name : names)
            {
                out.writeString(name);
            }
        }

        @Override
        public void readData(final ObjectDataInput in) throws IOException
        {
            names.clear();
            final int count = in.readInt();
            for (int i = 0; i < count; i++)
            {
                names.add(in.readString());
            }
        }
    }

    /** Adds a location to a SKU's set; idempotent. */
    public static final class Add implements EntryProcessor<String, Set, Boolean>, IdentifiedDataSerializable
    {
        private String location;

        public Add()
        {
        }

        public Add(final String location)
        {
            this.location = location;
        }

        @Override
        public Boolean process(final Map.Entry<String, Set> entry)
        {
            Set set = entry.getValue();
            if (set == null)
            {
                set = new Set();
            }
            else if (set.names.contains(location))
            {
                return Boolean.FALSE;
            }
            set.names.add(location);
            entry.setValue(set);
            return Boolean.TRUE;
        }

        @Override
        public int getFactoryId()
        {
            return GridSerializers.FACTORY_ID;
        }

        @Override
        public int getClassId()
        {
            return GridSerializers.ADD_LOCATION;
        }

        @Override
        public void writeData(final ObjectDataOutput out) throws IOException
        {
            out.writeString(location);
        }

        @Override
        public void readData(final ObjectDataInput in) throws IOException
        {
            location = in.readString();
        }
    }
}
