package io.stockgrid.grid;

import com.hazelcast.map.EntryProcessor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * One partitioned table of grid records (stock, reservations, locations), changed only by entry processors on the
 * key's partition thread. The reservation flows, the sweep, restore and snapshots are written against this; the
 * implementation is {@link PartitionTable} (the Stockgrid partition service on Hazelcast's SPI, see
 * {@link PartitionStore}). (Until session 8 a second one kept the records in Hazelcast IMaps; the flows proven on it
 * were kept unchanged when it went.)
 * <p>
 * Every mutating call returns only once the change is on the primary and its synchronous backup.
 */
interface GridTable<K, V>
{
    String name();

    /** The partition that holds {@code key}. */
    int partitionOf(K key);

    /**
     * Runs each key's processors in order, with one grid operation per partition, and answers each key's results in
     * the same order. Throws if any partition's operation failed (after every operation has ended).
     */
    <R> Map<K, ArrayList<R>> applyBatch(Map<K, List<JournaledProcessor<K, V, R>>> byKey);

    <R> R executeOnKey(K key, EntryProcessor<K, V, R> processor);

    <R> CompletionStage<R> submitToKey(K key, EntryProcessor<K, V, R> processor);

    <R> Map<K, R> executeOnKeys(Set<K> keys, EntryProcessor<K, V, R> processor);

    /** A copy of the record (null if none); never the live one. */
    V get(K key);

    Map<K, V> getAll(Set<K> keys);

    /** Keys of the records whose primary is on this member. */
    Set<K> localKeySet();

    /** The partitions whose primary replica is on this member now. */
    List<Integer> localPartitions();

    /** Keys of the records in one partition (a walk over a large table, one partition at a time). */
    Set<K> keysOfPartition(int partition);

    /** Keys of this member's records whose {@code attribute} (a long getter of the record) is at most {@code value}. */
    Set<K> localKeysAtMost(String attribute, long value);

    /** Every key in the cluster (tests and tools; a full scan). */
    Set<K> keySet();

    /** Every key in the cluster whose {@code attribute} is at most {@code value} (tests and tools; a full scan). */
    Set<K> keysAtMost(String attribute, long value);

    /** Removes every record (tests). */
    void clear();
}
