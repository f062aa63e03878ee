package io.stockgrid.grid;

import com.hazelcast.config.Config;
import com.hazelcast.config.ConfigAccessor;
import com.hazelcast.config.ServiceConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.internal.partition.ChunkSupplier;
import com.hazelcast.internal.partition.ChunkedMigrationAwareService;
import com.hazelcast.internal.partition.IPartition;
import com.hazelcast.internal.nio.BufferObjectDataInput;
import com.hazelcast.internal.nio.BufferObjectDataOutput;
import com.hazelcast.internal.serialization.InternalSerializationService;
import com.hazelcast.internal.serialization.impl.ByteArrayObjectDataOutput;
import com.hazelcast.internal.partition.MigrationEndpoint;
import com.hazelcast.internal.partition.PartitionMigrationEvent;
import com.hazelcast.internal.partition.PartitionReplicationEvent;
import com.hazelcast.internal.services.DistributedObjectNamespace;
import com.hazelcast.internal.services.ManagedService;
import com.hazelcast.internal.services.ServiceNamespace;
import com.hazelcast.internal.services.SplitBrainProtectionAwareService;
import com.hazelcast.spi.impl.NodeEngine;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionException;
import com.hazelcast.spi.impl.operationservice.Operation;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The Stockgrid partition service (the {@code partition} engine): grid records kept in per-partition containers of
 * this member, on Hazelcast's SPI. Hazelcast still does membership, the partition table, partition threads,
 * synchronous backups (our operations are {@code BackupAwareOperation}s), migration and backup re-sync (this class
 * is a {@link ChunkedMigrationAwareService}: a partition's containers travel as {@link StoreReplicationOperation}
 * chunks of at most {@link #CHUNK_RECORDS} records, under one replica namespace, {@link #NAMESPACE}) and
 * split-brain protection (mutating operations are checked against the quorum rule). Stockgrid writes no replication
 * protocol of its own.
 * <p>
 * Registered in the member's configuration before it starts ({@link #register}); tables are found by name.
 * A container is touched only on its partition's thread.
 * <p>
 * These interfaces are internal to Hazelcast and may move in any minor release: the version is pinned in the pom
 * and {@code PartitionStoreTest} fails loudly when what we rely on changes.
 */
public final class PartitionStore implements ManagedService, ChunkedMigrationAwareService,
    SplitBrainProtectionAwareService
{
    public static final String SERVICE_NAME = "stockgrid:partition-store";
    /**
     * The replica namespace of every table of the service: Hazelcast versions a partition's replicas per namespace
     * (each backup of a {@link StoreApplyOperation} counts under it) and, when a backup's version falls behind,
     * re-syncs that namespace from the primary, in chunks, like a migration.
     */
    static final ServiceNamespace NAMESPACE = new DistributedObjectNamespace(SERVICE_NAME, "tables");
    /**
     * Records per migration chunk, all tables together. Hazelcast packs chunks into one message until it holds
     * {@code hazelcast.partition.migration.chunks.max.migrating.data.in.mb} ({@link GridConfig} sets 32 MB), then
     * sends the rest of the partition in further messages: a big partition never moves as one blob.
     */
    static final int CHUNK_RECORDS = 10_000;

    private final Map<String, StoreTable.Spec> specs = new HashMap<>();
    private final Map<String, Long> maxRecords = new HashMap<>();
    private final LongAdder refusedAtCapacity = new LongAdder();
    private final LongAdder chunksSent = new LongAdder();
    /** Records per chunk this member sends ({@link #CHUNK_RECORDS}; tests lower it to split small partitions). */
    volatile int chunkRecords = CHUNK_RECORDS;
    /** Per table (in {@link #tableNames} order), the records one partition takes; derived at init. */
    private int[] capacities;
    private final List<String> tableNames;
    private final int backupCount;
    private final String quorumRule;
    private final int minClusterSize;
    private volatile NodeEngine nodeEngine;
    /** Per partition, per table (in {@link #tableNames} order). */
    private volatile StoreTable[][] partitions;
    /**
     * Per partition and table, the earliest time a record may be due by the table's indexed attribute, published by
     * the partition thread (never later than the truth): the sweep skips a partition with nothing due without
     * sending it an operation.
     */
    private volatile AtomicLongArray earliestIndexedMs;

    /**
     * @param backupCount    synchronous backups of every operation.
     * @param quorumRule     the split-brain protection rule mutations are checked against, or null for none.
     * @param minClusterSize members this member must list to change anything (1: no quorum).
     */
    PartitionStore(final List<StoreTable.Spec> tables, final int backupCount, final String quorumRule,
        final int minClusterSize)
    {
        for (final StoreTable.Spec spec : tables)
        {
            if (specs.put(spec.name(), spec) != null)
            {
                throw new IllegalArgumentException("table " + spec.name() + " defined twice");
            }
        }
        this.tableNames = tables.stream().map(StoreTable.Spec::name).toList();
        this.backupCount = backupCount;
        this.quorumRule = quorumRule;
        this.minClusterSize = minClusterSize;
    }

    /** Adds the service to a member's configuration (before the member starts). */
    static void register(final Config config, final PartitionStore store)
    {
        ConfigAccessor.getServicesConfig(config).addServiceConfig(new ServiceConfig().setEnabled(true)
            .setName(SERVICE_NAME).setImplementation(store));
    }

    /**
     * Bounds a table at about {@code total} records over the whole cluster (0: unbounded): each partition's table takes
     * a quarter more than its even share, {@code ceil(1.25 x total / partitions)}, then refuses new records (a
     * {@link CreatesRecord} command answers {@link CreatesRecord#refusedAtCapacity()}); before the member starts.
     */
    void keepAtMost(final String table, final long total)
    {
        spec(table);
        if (total < 0)
        {
            throw new IllegalArgumentException("at most " + total + " records");
        }
        maxRecords.put(table, total);
    }

    /** Records refused since start because their table was at capacity (all tables, this member's primaries). */
    /** Migration and re-sync chunks this member has sent since start. */
    long chunksSent()
    {
        return chunksSent.sum();
    }

    long refusedAtCapacity()
    {
        return refusedAtCapacity.sum();
    }

    void recordRefusedAtCapacity()
    {
        refusedAtCapacity.increment();
    }

    /**
     * Keeps a compact table's records as objects instead ({@code --reservations-format object}); before the member
     * starts.
     */
    void keepAsObjects(final String table)
    {
        final StoreTable.Spec spec = spec(table);
        specs.put(table, new StoreTable.Spec(spec.name(), spec.attributes(), spec.indexedAttribute(), false));
    }

    /** The service registered in a member's configuration (before or after it starts). */
    static PartitionStore of(final Config config)
    {
        final ServiceConfig service = ConfigAccessor.getServicesConfig(config).getServiceConfig(SERVICE_NAME);
        if (service == null || !(service.getImplementation() instanceof PartitionStore store))
        {
            throw new IllegalStateException("the configuration has no Stockgrid partition service");
        }
        return store;
    }

    /** The service of a running member. */
    static PartitionStore of(final HazelcastInstance hazelcast)
    {
        final ServiceConfig config = ConfigAccessor.getServicesConfig(hazelcast.getConfig())
            .getServiceConfig(SERVICE_NAME);
        if (config == null || !(config.getImplementation() instanceof PartitionStore store))
        {
            throw new IllegalStateException("the member was started without the Stockgrid partition service");
        }
        return store;
    }

    @Override
    public void init(final NodeEngine nodeEngine, final Properties properties)
    {
        this.nodeEngine = nodeEngine;
        final int count = nodeEngine.getPartitionService().getPartitionCount();
        final int[] perPartition = new int[tableNames.size()];
        for (int t = 0; t < perPartition.length; t++)
        {
            final long total = maxRecords.getOrDefault(tableNames.get(t), 0L);
            perPartition[t] = total <= 0 ? Integer.MAX_VALUE :
                (int)Math.min(Integer.MAX_VALUE, (total * 5 + 4L * count - 1) / (4L * count));
        }
        this.capacities = perPartition;
        final AtomicLongArray earliest = new AtomicLongArray(count * tableNames.size());
        for (int i = 0; i < earliest.length(); i++)
        {
            earliest.set(i, Long.MAX_VALUE);
        }
        this.earliestIndexedMs = earliest;
        this.partitions = emptyPartitions(count);
    }

    private StoreTable[][] emptyPartitions(final int count)
    {
        final StoreTable[][] fresh = new StoreTable[count][];
        for (int p = 0; p < count; p++)
        {
            fresh[p] = emptyTables(p);
        }
        return fresh;
    }

    private StoreTable[] emptyTables(final int partitionId)
    {
        final StoreTable[] tables = new StoreTable[tableNames.size()];
        for (int t = 0; t < tables.length; t++)
        {
            tables[t] = StoreTable.of(specs.get(tableNames.get(t)), new TableCodec(), earliestIndexedMs,
                partitionId * tableNames.size() + t);
            tables[t].capacity = capacities[t];
        }
        return tables;
    }

    /**
     * Records to bytes and back with Hazelcast's serialisers, through buffers this table keeps (a table is touched
     * only on its partition's thread): no {@code Data} wrapper, no copy of the bytes to read them, no growth of a
     * pooled buffer per record. The bytes stay in this member's memory (migration sends records as objects), so their
     * layout is this build's own.
     */
    /**
     * The buffer of Hazelcast's byte-array output, read in place instead of copied out per record (a fifth of the
     * node's allocation at 12,000 req/s was that copy, docs/benchmarks.md session 10). The field is package-private
     * in the pinned Hazelcast version; if a later one moves it, this is null and records are copied as before.
     */
    private static final VarHandle OUTPUT_BUFFER = outputBuffer();

    /** True when records are encoded without a copy (the pinned Hazelcast's output buffer is readable in place). */
    static boolean encodesInPlace()
    {
        return OUTPUT_BUFFER != null;
    }

    private static VarHandle outputBuffer()
    {
        try
        {
            return MethodHandles.privateLookupIn(ByteArrayObjectDataOutput.class, MethodHandles.lookup())
                .findVarHandle(ByteArrayObjectDataOutput.class, "buffer", byte[].class);
        }
        catch (final ReflectiveOperationException | RuntimeException ex)
        {
            return null;
        }
    }

    private final class TableCodec implements StoreTable.Codec
    {
        private static final int OUTPUT_BYTES = 1024;
        private BufferObjectDataOutput out;
        private BufferObjectDataInput in;

        /** The last encode's bytes when they could not be read in place (see {@link #OUTPUT_BUFFER}). */
        private byte[] copied;

        @Override
        public int encode(final Object value)
        {
            if (out == null)
            {
                out = serialization().createObjectDataOutput(OUTPUT_BYTES);
            }
            out.clear();
            try
            {
                out.writeObject(value);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            copied = OUTPUT_BUFFER == null || !(out instanceof ByteArrayObjectDataOutput) ? out.toByteArray() : null;
            return out.position();
        }

        @Override
        public byte[] encoded()
        {
            return copied != null ? copied : (byte[])OUTPUT_BUFFER.get(out);
        }

        @Override
        public Object decode(final byte[] bytes, final int offset, final int length)
        {
            if (in == null)
            {
                in = serialization().createObjectDataInput(bytes, offset);
            }
            else
            {
                in.init(bytes, offset);
            }
            try
            {
                return in.readObject();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            finally
            {
                in.clear(); // the chunk is not kept reachable from here
            }
        }
    }

    private InternalSerializationService serialization()
    {
        return (InternalSerializationService)nodeEngine().getSerializationService();
    }

    /**
     * True unless the partition's table certainly has no record due by {@code value} on its indexed attribute (read
     * without an operation; may say true when nothing is due).
     */
    boolean mayHaveIndexedAtMost(final int partitionId, final int tableIndex, final long value)
    {
        return earliestIndexedMs.get(partitionId * tableNames.size() + tableIndex) <= value;
    }

    NodeEngine nodeEngine()
    {
        final NodeEngine engine = nodeEngine;
        if (engine == null)
        {
            throw new IllegalStateException("the Stockgrid partition service is not started");
        }
        return engine;
    }

    int backupCount()
    {
        return backupCount;
    }

    /**
     * Refuses, before anything is changed, a change this member could answer without a copy anywhere else while
     * the cluster it lists would have one: on the partition's thread, against the member list and the partition
     * table as they are now.
     * <ul>
     *   <li>Fewer members listed than the quorum: refused as Hazelcast's split-brain protection refuses (its own check
     *   follows membership events, a moment after the member list).</li>
     *   <li>Fewer backup replicas than {@code min(backupCount, members - 1)}: Hazelcast sends backups only to the
     *   replicas the partition table names, so with none named it answers at once. A split's minority is in that
     *   state between dropping one cut-off member and the next (it still lists enough members for its quorum), and
     *   so is every cluster for the moment between losing a member and re-creating the backups that member held. An
     *   answer given then has one copy; a minority's is discarded at the heal. Refused with {@link BackupsMissing}
     *   (the caller answers "retry"), which SplitBrainTest once caught as a lost acknowledged reservation.</li>
     * </ul>
     */
    void ensureWritable(final int partitionId)
    {
        final NodeEngine engine = nodeEngine();
        final int members = engine.getClusterService().getSize();
        if (minClusterSize > 1 && members < minClusterSize)
        {
            throw new SplitBrainProtectionException("this member lists " + members + " members, fewer than the "
                + minClusterSize + " a change needs");
        }
        final int needed = Math.min(backupCount, members - 1);
        if (needed > 0)
        {
            final IPartition partition = engine.getPartitionService().getPartition(partitionId);
            for (int replica = 1; replica <= needed; replica++)
            {
                if (partition.getReplicaAddress(replica) == null)
                {
                    throw new BackupsMissing(partitionId, replica, members);
                }
            }
        }
    }

    /**
     * A change refused because its partition has fewer backup replicas than the members allow for (see
     * {@link #ensureWritable}); nothing was changed, and a retry succeeds once the backups are there again.
     */
    static final class BackupsMissing extends IllegalStateException
    {
        private static final long serialVersionUID = 1L;

        BackupsMissing(final int partitionId, final int replica, final int members)
        {
            super("partition " + partitionId + " has no backup replica " + replica + " while " + members
                + " members are listed (a member left, or is being cut off); nothing was changed, retry shortly");
        }
    }

    int partitionCount()
    {
        return partitions.length;
    }

    /** The partition of a key: a fixed function of its {@code hashCode}, the same on every member of a build. */
    int partitionOf(final Object key)
    {
        final int h = key.hashCode() * 0x9E3779B9;
        return Math.floorMod(h ^ (h >>> 16), partitions.length);
    }

    StoreTable.Spec spec(final String table)
    {
        tableIndex(table);
        return specs.get(table);
    }

    int tableIndex(final String table)
    {
        final int index = tableNames.indexOf(table);
        if (index < 0)
        {
            throw new IllegalArgumentException("no table " + table + " (tables: " + tableNames + ")");
        }
        return index;
    }

    StoreTable table(final int partitionId, final int tableIndex)
    {
        return partitions[partitionId][tableIndex];
    }

    StoreTable[] tables(final int partitionId)
    {
        return partitions[partitionId];
    }

    List<String> tableNames()
    {
        return tableNames;
    }

    /** Replaces a partition's containers (a replica arriving by migration). Partition thread only. */
    void replace(final int partitionId, final StoreTable[] tables)
    {
        partitions[partitionId] = tables;
    }

    StoreTable[] newTables(final int partitionId)
    {
        return emptyTables(partitionId);
    }

    private void clearPartition(final int partitionId)
    {
        partitions[partitionId] = emptyTables(partitionId);
    }

    @Override
    public void reset()
    {
        // This member merges into the larger side after a split: what it holds was never acknowledged there (the
        // minority refused mutations); the larger side's replicas arrive by migration.
        final StoreTable[][] current = partitions;
        if (current != null)
        {
            partitions = emptyPartitions(current.length);
        }
    }

    @Override
    public void shutdown(final boolean terminate)
    {
        reset();
    }

    @Override
    public Operation prepareReplicationOperation(final PartitionReplicationEvent event)
    {
        if (event.getReplicaIndex() > backupCount)
        {
            return null;
        }
        final StoreTable[] tables = partitions[event.getPartitionId()];
        // Sent even when empty: the destination replica is replaced whole, never merged with what it held.
        return new StoreReplicationOperation(nodeEngine(), tableNames, cursorsOf(tables), new boolean[tables.length],
            Integer.MAX_VALUE, true);
    }

    @Override
    public Collection<ServiceNamespace> getAllServiceNamespaces(final PartitionReplicationEvent event)
    {
        return event.getReplicaIndex() > backupCount ? List.of() : List.of(NAMESPACE);
    }

    @Override
    public boolean isKnownServiceNamespace(final ServiceNamespace namespace)
    {
        return NAMESPACE.equals(namespace);
    }

    /** The whole partition in one operation: Hazelcast asks for this only when chunked migration is switched off. */
    @Override
    public Operation prepareReplicationOperation(final PartitionReplicationEvent event,
        final Collection<ServiceNamespace> namespaces)
    {
        return namespaces.contains(NAMESPACE) ? prepareReplicationOperation(event) : null;
    }

    /**
     * The partition in chunks of at most {@link #CHUNK_RECORDS} records. Hazelcast calls {@code next()} on the
     * partition thread while it writes the migration (or re-sync) message, with the partition marked migrating, so
     * no mutation runs between chunks; the walk starts at the first {@code next()}, on that thread. The first chunk
     * is sent even when the partition is empty: the destination replica is replaced whole, never merged with what
     * it held.
     */
    @Override
    public ChunkSupplier newChunkSupplier(final PartitionReplicationEvent event,
        final Collection<ServiceNamespace> namespaces)
    {
        final boolean wanted = namespaces.contains(NAMESPACE) && event.getReplicaIndex() <= backupCount;
        final int partitionId = event.getPartitionId();
        return new ChunkSupplier()
        {
            private volatile boolean done = !wanted;
            private StoreTable.ChunkCursor[] cursors;
            private boolean[] exhausted;

            @Override
            public boolean hasNext()
            {
                return !done;
            }

            @Override
            public Operation next()
            {
                if (done)
                {
                    throw new java.util.NoSuchElementException("partition " + partitionId + " was sent whole");
                }
                final boolean first = cursors == null;
                if (first)
                {
                    cursors = cursorsOf(partitions[partitionId]);
                    exhausted = new boolean[cursors.length];
                }
                final StoreReplicationOperation chunk = new StoreReplicationOperation(nodeEngine(), tableNames,
                    cursors, exhausted, chunkRecords, first);
                chunksSent.increment();
                boolean all = true;
                for (final boolean e : exhausted)
                {
                    all &= e;
                }
                done = all;
                return chunk;
            }

            @Override
            public String toString()
            {
                return "StockgridChunks{partition " + partitionId + ", done " + done + "}";
            }
        };
    }

    /** A fresh walk over each of a partition's tables; on its partition thread. */
    private static StoreTable.ChunkCursor[] cursorsOf(final StoreTable[] tables)
    {
        final StoreTable.ChunkCursor[] cursors = new StoreTable.ChunkCursor[tables.length];
        for (int t = 0; t < tables.length; t++)
        {
            cursors[t] = tables[t].chunkCursor();
        }
        return cursors;
    }

    @Override
    public void beforeMigration(final PartitionMigrationEvent event)
    {
    }

    @Override
    public void commitMigration(final PartitionMigrationEvent event)
    {
        if (event.getMigrationEndpoint() == MigrationEndpoint.SOURCE
            && (event.getNewReplicaIndex() == -1 || event.getNewReplicaIndex() > backupCount))
        {
            clearPartition(event.getPartitionId());
        }
    }

    @Override
    public void rollbackMigration(final PartitionMigrationEvent event)
    {
        if (event.getMigrationEndpoint() == MigrationEndpoint.DESTINATION
            && (event.getCurrentReplicaIndex() == -1 || event.getCurrentReplicaIndex() > backupCount))
        {
            clearPartition(event.getPartitionId());
        }
    }

    @Override
    public String getSplitBrainProtectionName(final String name)
    {
        return quorumRule;
    }

    /**
     * The digest ({@link StoreDigestOperation}: records, hash) of one replica of a partition, read on the partition
     * thread of the member that holds that replica.
     */
    long[] digest(final int partitionId, final int replicaIndex)
    {
        return nodeEngine().getOperationService()
            .createInvocationBuilder(SERVICE_NAME, new StoreDigestOperation(), partitionId)
            .setReplicaIndex(replicaIndex).<long[]>invoke().joinInternal();
    }

    /** Records of every table in the partitions this member holds (primary and backup replicas): for metrics. */
    long recordsHeld()
    {
        long n = 0;
        for (final StoreTable[] tables : partitions)
        {
            for (final StoreTable table : tables)
            {
                n += table.size();
            }
        }
        return n;
    }
}
