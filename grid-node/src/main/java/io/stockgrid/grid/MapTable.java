package io.stockgrid.grid;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.spi.impl.AbstractDistributedObject;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicates;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/** A {@link GridTable} kept in a Hazelcast IMap (the {@code imap} engine). */
final class MapTable<K, V> implements GridTable<K, V>
{
    private final IMap<K, V> map;

    MapTable(final IMap<K, V> map)
    {
        this.map = map;
    }

    IMap<K, V> map()
    {
        return map;
    }

    @Override
    public String name()
    {
        return map.getName();
    }

    @Override
    public int partitionOf(final K key)
    {
        return ((AbstractDistributedObject<?>)map).getNodeEngine().getPartitionService().getPartitionId(key);
    }

    @Override
    public <R> Map<K, ArrayList<R>> applyBatch(final Map<K, List<JournaledProcessor<K, V, R>>> byKey)
    {
        return GridBatch.apply(map, byKey);
    }

    @Override
    public <R> R executeOnKey(final K key, final EntryProcessor<K, V, R> processor)
    {
        return map.executeOnKey(key, processor);
    }

    @Override
    public <R> CompletionStage<R> submitToKey(final K key, final EntryProcessor<K, V, R> processor)
    {
        return map.submitToKey(key, processor);
    }

    @Override
    public <R> Map<K, R> executeOnKeys(final Set<K> keys, final EntryProcessor<K, V, R> processor)
    {
        return map.executeOnKeys(keys, processor);
    }

    @Override
    public V get(final K key)
    {
        return map.get(key);
    }

    @Override
    public Map<K, V> getAll(final Set<K> keys)
    {
        return map.getAll(keys);
    }

    @Override
    public Set<K> localKeySet()
    {
        return map.localKeySet();
    }

    @Override
    public Set<K> localKeysAtMost(final String attribute, final long value)
    {
        return map.localKeySet(Predicates.lessEqual(attribute, value));
    }

    @Override
    public Set<K> keySet()
    {
        return map.keySet();
    }

    @Override
    public Set<K> keysAtMost(final String attribute, final long value)
    {
        return map.keySet(Predicates.lessEqual(attribute, value));
    }

    @Override
    public void clear()
    {
        map.clear();
    }
}
