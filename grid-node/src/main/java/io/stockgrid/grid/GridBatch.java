package io.stockgrid.grid;

import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.internal.serialization.Data;
import com.hazelcast.map.IMap;
import com.hazelcast.map.impl.MapEntries;
import com.hazelcast.map.impl.MapService;
import com.hazelcast.spi.impl.AbstractDistributedObject;
import com.hazelcast.spi.impl.NodeEngine;
import com.hazelcast.spi.impl.operationservice.impl.InvocationFuture;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Applies a batch of processors, grouped by key, with one grid operation per partition, and returns only once every
 * operation has run on its primary <em>and its synchronous backup</em>.
 * <p>
 * {@code IMap.executeOnKeys} would do the grouping, but its per-partition operation ({@code MultipleEntryOperation})
 * declares every backup asynchronous, so the call returns once the primaries have run: a primary that dies, or is cut
 * off by a split, just after answering takes an acknowledged change with it. Here each partition's operation is a
 * {@link SyncBackupEntryOperation} (the same operation with the map's synchronous backup count) sent as an ordinary
 * partition invocation, so Hazelcast waits for the backup and, with
 * {@code hazelcast.operation.fail.on.indeterminate.state}, fails the call when the backup does not answer.
 */
final class GridBatch
{
    private GridBatch()
    {
    }

    static <K, V, R> Map<K, ArrayList<R>> apply(final IMap<K, V> map,
        final Map<K, List<JournaledProcessor<K, V, R>>> byKey)
    {
        final NodeEngine nodeEngine = ((AbstractDistributedObject<?>)map).getNodeEngine();
        final Map<Integer, Map<K, List<JournaledProcessor<K, V, R>>>> byPartition = new HashMap<>();
        final Map<Integer, Set<Data>> keysByPartition = new HashMap<>();
        for (final Map.Entry<K, List<JournaledProcessor<K, V, R>>> e : byKey.entrySet())
        {
            final Data key = nodeEngine.toData(e.getKey());
            final int partition = nodeEngine.getPartitionService().getPartitionId(key);
            byPartition.computeIfAbsent(partition, p -> new HashMap<>()).put(e.getKey(), e.getValue());
            keysByPartition.computeIfAbsent(partition, p -> new HashSet<>()).add(key);
        }
        final List<InvocationFuture<Object>> futures = new ArrayList<>(byPartition.size());
        for (final Map.Entry<Integer, Map<K, List<JournaledProcessor<K, V, R>>>> e : byPartition.entrySet())
        {
            final BatchProcessor<K, V, R> processor = new BatchProcessor<>(e.getValue());
            // A local operation runs this very object (no deserialisation injects the instance): inject it here.
            ((HazelcastInstanceAware)processor).setHazelcastInstance(nodeEngine.getHazelcastInstance());
            final SyncBackupEntryOperation op = new SyncBackupEntryOperation(map.getName(),
                keysByPartition.get(e.getKey()), processor);
            futures.add(nodeEngine.getOperationService().invokeOnPartitionAsync(MapService.SERVICE_NAME, op,
                e.getKey()));
        }
        // Every partition's invocation ends (or fails) before anything is answered or thrown: a caller that
        // compensates after a failure must not race an invocation of the same batch still being retried.
        RuntimeException failure = null;
        final Map<K, ArrayList<R>> results = new HashMap<>(byKey.size() * 2);
        for (final InvocationFuture<Object> future : futures)
        {
            try
            {
                final MapEntries entries = (MapEntries)future.joinInternal();
                for (int i = 0; i < entries.size(); i++)
                {
                    results.put(nodeEngine.toObject(entries.getKey(i)), nodeEngine.toObject(entries.getValue(i)));
                }
            }
            catch (final RuntimeException ex)
            {
                failure = failure == null ? ex : failure;
            }
        }
        if (failure != null)
        {
            throw failure;
        }
        return results;
    }
}
