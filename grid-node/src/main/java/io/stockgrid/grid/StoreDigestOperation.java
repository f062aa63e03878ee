package io.stockgrid.grid;

import com.hazelcast.spi.impl.NodeEngine;
import com.hazelcast.spi.impl.operationservice.ReadonlyOperation;

/**
 * A digest of one replica of one partition's containers (every table): the record count and an order-independent
 * 64-bit hash of every key and record in serialised form. Sent to a chosen replica index, so a test (or an operator's
 * tool) can check that the primary and its backups hold exactly the same state. Runs on the partition thread.
 */
final class StoreDigestOperation extends StoreOperation implements ReadonlyOperation
{
    private transient long[] digest;

    StoreDigestOperation()
    {
        super("*");
    }

    @Override
    public void run()
    {
        final NodeEngine engine = getNodeEngine();
        final long wallMs = System.currentTimeMillis();
        final long[] sum = new long[2];
        final StoreTable[] tables = store().tables(getPartitionId());
        for (int t = 0; t < tables.length; t++)
        {
            final long tableSalt = t * 0x9E3779B97F4A7C15L;
            tables[t].forEachLive(wallMs, (key, value, retainUntilMs) ->
            {
                sum[0]++;
                sum[1] += mix(tableSalt ^ fnv(engine.toData(key).toByteArray()) * 31
                    + fnv(engine.toData(value).toByteArray()));
            });
        }
        digest = sum;
    }

    private static long fnv(final byte[] bytes)
    {
        long h = 0xcbf29ce484222325L;
        for (final byte b : bytes)
        {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    private static long mix(final long x)
    {
        long z = x;
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }

    @Override
    public Object getResponse()
    {
        return digest;
    }

    @Override
    public int getClassId()
    {
        return GridSerializers.STORE_DIGEST;
    }
}
