package io.stockgrid.grid;

import com.hazelcast.internal.partition.IPartitionService;
import com.hazelcast.internal.util.ConcurrencyUtil;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.spi.impl.operationservice.Operation;
import com.hazelcast.spi.impl.operationservice.OperationService;
import com.hazelcast.spi.impl.operationservice.impl.InvocationFuture;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;

/**
 * A {@link GridTable} kept by the {@link PartitionStore} (the {@code partition} engine). A batch becomes one
 * {@link StoreApplyOperation} per partition it touches, carrying every command for that partition; reads and scans
 * are {@link StoreQueryOperation}s.
 */
final class PartitionTable<K, V> implements GridTable<K, V>
{
    private final PartitionStore store;
    private final String name;

    private final int tableIndex;
    private final String indexedAttribute;

    PartitionTable(final PartitionStore store, final String name)
    {
        this.store = store;
        this.name = name;
        this.tableIndex = store.tableIndex(name); // fails now, not at the first call, if there is no such table
        this.indexedAttribute = store.spec(name).indexedAttribute();
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public int partitionOf(final K key)
    {
        return store.partitionOf(key);
    }

    private OperationService operations()
    {
        return store.nodeEngine().getOperationService();
    }

    private <E> InvocationFuture<E> invoke(final Operation op, final int partitionId)
    {
        return operations().invokeOnPartitionAsync(PartitionStore.SERVICE_NAME, op, partitionId);
    }

    /**
     * Keys grouped by partition, each with its processors: lists indexed by partition, filled in one pass. One per
     * calling thread and table, kept and emptied after each use ({@link #grouped()}): arrays as long as the partition
     * count, allocated per batch, were a fifth of the node's allocation.
     */
    private final class Grouped
    {
        final ArrayList<Object>[] keys;
        final ArrayList<EntryProcessor<Object, Object, Object>[]>[] processors;
        /** The partitions touched, in the order first seen. */
        final int[] touched;
        int touchedCount;

        @SuppressWarnings("unchecked")
        Grouped()
        {
            final int partitions = store.partitionCount();
            keys = new ArrayList[partitions];
            processors = new ArrayList[partitions];
            touched = new int[partitions];
        }

        void add(final Object key, final EntryProcessor<Object, Object, Object>[] onKey)
        {
            final int partition = store.partitionOf(key);
            ArrayList<Object> onPartition = keys[partition];
            if (onPartition == null)
            {
                onPartition = new ArrayList<>();
                keys[partition] = onPartition;
                processors[partition] = new ArrayList<>();
            }
            if (onPartition.isEmpty())
            {
                touched[touchedCount++] = partition;
            }
            onPartition.add(key);
            processors[partition].add(onKey);
        }

        /** Empties the lists this use touched (they are kept, and so is their capacity, up to a bound). */
        void clear()
        {
            for (int i = 0; i < touchedCount; i++)
            {
                final int partition = touched[i];
                if (keys[partition].size() > KEPT_CAPACITY)
                {
                    keys[partition] = null; // a rare large batch does not pin its lists' capacity
                    processors[partition] = null;
                }
                else
                {
                    keys[partition].clear();
                    processors[partition].clear();
                }
            }
            touchedCount = 0;
        }

        /**
         * Sends one operation per partition and waits for every one of them to end before answering or throwing: a
         * caller that compensates after a failure must not race an operation of the same batch still being retried.
         * The caller sleeps once per batch, not once per operation: each operation's completion counts down on the
         * thread that completes it (a partition thread), and only the last one wakes the caller. Joining the futures
         * one by one woke it up to once per operation, and on this virtualised machine each wake-up is a futex call
         * and a context switch that cost more than the operation.
         */
        @SuppressWarnings("unchecked")
        void run(final ResultSink sink)
        {
            final InvocationFuture<ArrayList<ArrayList<Object>>>[] futures = new InvocationFuture[touchedCount];
            final AllDone allDone = new AllDone(touchedCount);
            for (int i = 0; i < touchedCount; i++)
            {
                final int partition = touched[i];
                final StoreApplyOperation op = new StoreApplyOperation(name, keys[partition].toArray(),
                    processors[partition].toArray(new EntryProcessor[0][]));
                futures[i] = invoke(op, partition);
                futures[i].whenCompleteAsync(allDone, ConcurrencyUtil.CALLER_RUNS);
            }
            allDone.await();
            RuntimeException failure = null;
            for (int i = 0; i < touchedCount; i++)
            {
                try
                {
                    final ArrayList<ArrayList<Object>> results = futures[i].joinInternal(); // done: no wait
                    final List<Object> onPartition = keys[touched[i]];
                    for (int k = 0; k < onPartition.size(); k++)
                    {
                        sink.accept(onPartition.get(k), results.get(k));
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
        }
    }

    /**
     * Counts a batch's operations down as they complete, on whichever thread completes them; the last one wakes the
     * waiter.
     */
    private static final class AllDone implements BiConsumer<Object, Throwable>
    {
        private final Thread waiter = Thread.currentThread();
        private final AtomicInteger remaining;

        AllDone(final int operations)
        {
            remaining = new AtomicInteger(operations);
        }

        @Override
        public void accept(final Object result, final Throwable failure)
        {
            if (remaining.decrementAndGet() == 0)
            {
                LockSupport.unpark(waiter);
            }
        }

        /** Returns once every operation has completed (each ends by its own call timeout); an interrupt is kept. */
        void await()
        {
            boolean interrupted = false;
            while (remaining.get() > 0)
            {
                LockSupport.park(this);
                if (Thread.interrupted())
                {
                    interrupted = true; // park would return at once while the flag is set: clear it, restore it after
                }
            }
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Commands per partition whose lists are kept between uses; a larger batch's lists are let go. */
    private static final int KEPT_CAPACITY = 1024;

    private final ThreadLocal<Grouped> grouped = ThreadLocal.withInitial(Grouped::new);

    /** This thread's (empty) {@link Grouped}; hand it back with {@link Grouped#clear()} in a finally. */
    private Grouped grouped()
    {
        final Grouped g = grouped.get();
        if (g.touchedCount != 0)
        {
            // Only if a use on this thread is still running (a sink calling back into this table): not shared.
            return new Grouped();
        }
        return g;
    }

    private interface ResultSink
    {
        void accept(Object key, ArrayList<Object> results);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <R> Map<K, ArrayList<R>> applyBatch(final Map<K, List<JournaledProcessor<K, V, R>>> byKey)
    {
        final Grouped grouped = grouped();
        try
        {
            for (final Map.Entry<K, List<JournaledProcessor<K, V, R>>> e : byKey.entrySet())
            {
                grouped.add(e.getKey(), e.getValue().toArray(new EntryProcessor[0]));
            }
            final Map<K, ArrayList<R>> results = new HashMap<>(byKey.size() * 2);
            grouped.run((key, r) -> results.put((K)key, (ArrayList<R>)(ArrayList<?>)r));
            return results;
        }
        finally
        {
            grouped.clear();
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public <R> R executeOnKey(final K key, final EntryProcessor<K, V, R> processor)
    {
        final InvocationFuture<ArrayList<ArrayList<Object>>> future =
            invoke(single(key, processor), store.partitionOf(key));
        final ArrayList<ArrayList<Object>> results = future.joinInternal();
        return (R)results.get(0).get(0);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <R> CompletionStage<R> submitToKey(final K key, final EntryProcessor<K, V, R> processor)
    {
        final InvocationFuture<ArrayList<ArrayList<Object>>> future =
            invoke(single(key, processor), store.partitionOf(key));
        return future.thenApply(results -> (R)results.get(0).get(0));
    }

    @SuppressWarnings("unchecked")
    private StoreApplyOperation single(final K key, final EntryProcessor<K, V, ?> processor)
    {
        return new StoreApplyOperation(name, new Object[] {key},
            new EntryProcessor[][] {{(EntryProcessor<Object, Object, Object>)processor}});
    }

    @Override
    @SuppressWarnings("unchecked")
    public <R> Map<K, R> executeOnKeys(final Set<K> keys, final EntryProcessor<K, V, R> processor)
    {
        final Grouped grouped = grouped();
        try
        {
            for (final K key : keys)
            {
                grouped.add(key, new EntryProcessor[] {processor});
            }
            final Map<K, R> results = new HashMap<>(keys.size() * 2);
            grouped.run((key, r) -> results.put((K)key, (R)r.get(0)));
            return results;
        }
        finally
        {
            grouped.clear();
        }
    }

    @Override
    public V get(final K key)
    {
        return getAll(Set.of(key)).get(key);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Map<K, V> getAll(final Set<K> keys)
    {
        final Map<Integer, List<Object>> byPartition = new HashMap<>();
        for (final K key : keys)
        {
            byPartition.computeIfAbsent(store.partitionOf(key), p -> new ArrayList<>()).add(key);
        }
        final List<InvocationFuture<ArrayList<Object>>> futures = new ArrayList<>(byPartition.size());
        for (final Map.Entry<Integer, List<Object>> e : byPartition.entrySet())
        {
            futures.add(invoke(StoreQueryOperation.get(name, e.getValue().toArray()), e.getKey()));
        }
        final Map<K, V> found = new HashMap<>(keys.size() * 2);
        for (final InvocationFuture<ArrayList<Object>> future : futures)
        {
            final ArrayList<Object> pairs = future.joinInternal();
            for (int i = 0; i < pairs.size(); i += 2)
            {
                found.put((K)pairs.get(i), (V)pairs.get(i + 1));
            }
        }
        return found;
    }

    @SuppressWarnings("unchecked")
    private Set<K> keysOf(final boolean localOnly, final String attribute, final long value)
    {
        final IPartitionService partitions = store.nodeEngine().getPartitionService();
        final List<InvocationFuture<ArrayList<Object>>> futures = new ArrayList<>();
        final boolean indexed = attribute != null && attribute.equals(indexedAttribute);
        for (int p = 0; p < store.partitionCount(); p++)
        {
            if (localOnly && !partitions.getPartition(p).isLocal())
            {
                continue;
            }
            if (indexed && localOnly && !store.mayHaveIndexedAtMost(p, tableIndex, value))
            {
                continue; // nothing there is due (the sweep's every-200-ms case: most partitions)
            }
            futures.add(invoke(attribute == null ? StoreQueryOperation.keys(name) :
                StoreQueryOperation.keysAtMost(name, attribute, value), p));
        }
        final Set<K> keys = new HashSet<>();
        for (final InvocationFuture<ArrayList<Object>> future : futures)
        {
            for (final Object key : future.joinInternal())
            {
                keys.add((K)key);
            }
        }
        return keys;
    }

    @Override
    public Set<K> localKeySet()
    {
        return keysOf(true, null, 0);
    }

    @Override
    public List<Integer> localPartitions()
    {
        final IPartitionService partitions = store.nodeEngine().getPartitionService();
        final List<Integer> local = new ArrayList<>();
        for (int p = 0; p < store.partitionCount(); p++)
        {
            if (partitions.getPartition(p).isLocal())
            {
                local.add(p);
            }
        }
        return local;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Set<K> keysOfPartition(final int partition)
    {
        final ArrayList<Object> found = this.<ArrayList<Object>>invoke(StoreQueryOperation.keys(name), partition)
            .joinInternal();
        final Set<K> keys = new HashSet<>(found.size() * 2);
        for (final Object key : found)
        {
            keys.add((K)key);
        }
        return keys;
    }

    @Override
    public Set<K> localKeysAtMost(final String attribute, final long value)
    {
        return keysOf(true, attribute, value);
    }

    @Override
    public Set<K> keySet()
    {
        return keysOf(false, null, 0);
    }

    @Override
    public Set<K> keysAtMost(final String attribute, final long value)
    {
        return keysOf(false, attribute, value);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void clear()
    {
        executeOnKeys(keySet(), (EntryProcessor<K, V, Boolean>)(EntryProcessor<?, ?, ?>)new StoreTable.Remove());
    }
}
