package io.stockgrid.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.partition.MigrationListener;
import com.hazelcast.partition.MigrationState;
import com.hazelcast.partition.Partition;
import com.hazelcast.partition.ReplicaMigrationEvent;
import io.stockgrid.ingest.IngestMetrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The cluster as this member sees it, read from its Hazelcast instance: members, who owns which partition, whether
 * enough members are there for mutations (the quorum, {@code --min-cluster-size}), whether the cluster is safe
 * (every backup in sync and no migration running), and the partition migrations the master reports to every
 * member's {@link MigrationListener}.
 * <p>
 * Registers the {@code stockgrid_cluster_*} and {@code stockgrid_partition*} metrics. Every gauge reads local state
 * only and so may run on the scrape's event loop; {@code PartitionService.isClusterSafe()} asks every member and can
 * block, so it is called only by {@link #refreshSafety()}, off the event loop, and the gauge shows its last answer.
 */
final class ClusterStatus implements AutoCloseable
{
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final HazelcastInstance hz;
    private final int minClusterSize;
    private final UUID migrationListenerId;
    private volatile boolean clusterSafe;
    private volatile int migrationsRemaining;
    private final AtomicLong migrationsCompleted = new AtomicLong();
    private final AtomicLong migrationsFailed = new AtomicLong();

    ClusterStatus(final HazelcastInstance hz, final int minClusterSize, final IngestMetrics metrics)
    {
        this.hz = hz;
        this.minClusterSize = minClusterSize;
        migrationListenerId = hz.getPartitionService().addMigrationListener(new MigrationListener()
        {
            @Override
            public void migrationStarted(final MigrationState state)
            {
                migrationsRemaining = state.getRemainingMigrations();
            }

            @Override
            public void migrationFinished(final MigrationState state)
            {
                migrationsRemaining = 0;
            }

            @Override
            public void replicaMigrationCompleted(final ReplicaMigrationEvent event)
            {
                migrationsCompleted.incrementAndGet();
                migrationsRemaining = event.getMigrationState().getRemainingMigrations();
            }

            @Override
            public void replicaMigrationFailed(final ReplicaMigrationEvent event)
            {
                migrationsFailed.incrementAndGet();
                migrationsRemaining = event.getMigrationState().getRemainingMigrations();
            }
        });
        metrics.registerGauge("stockgrid_cluster_size", "Members in the cluster, as this member sees it",
            this::size);
        metrics.registerGauge("stockgrid_cluster_min_size",
            "Members needed to accept mutations (setting min-cluster-size)", () -> minClusterSize);
        metrics.registerGauge("stockgrid_cluster_quorum_present",
            "1 if the cluster has at least min-cluster-size members (mutations accepted), else 0",
            () -> quorumPresent() ? 1 : 0);
        metrics.registerGauge("stockgrid_cluster_safe",
            "1 if every partition's backups are in sync and no migration runs (checked every few seconds), else 0",
            () -> clusterSafe ? 1 : 0);
        metrics.registerGauge("stockgrid_partitions_migrating",
            "Partition replica migrations still to do in the migration the master is running (0: none)",
            () -> migrationsRemaining);
        metrics.registerCounter("stockgrid_partition_migrations_total",
            "Partition replica migrations completed, as reported by the master", migrationsCompleted::get);
        metrics.registerCounter("stockgrid_partition_migrations_failed_total",
            "Partition replica migrations that failed, as reported by the master", migrationsFailed::get);
        metrics.registerGauge("stockgrid_partitions_owned", "Partitions whose primary replica this member owns",
            this::localOwnedPartitions);
        metrics.registerCounter("stockgrid_migration_chunks_sent_total",
            "Chunks of partition records this member sent, migrating partitions and re-syncing backups",
            () -> running() ? io.stockgrid.grid.GridConfig.migrationChunksSent(hz) : 0);
        metrics.registerCounter("stockgrid_reservations_refused_at_capacity_total",
            "New reservations this member refused because their partition held its share of --max-reservations",
            () -> running() ? io.stockgrid.grid.GridConfig.reservationsRefusedAtCapacity(hz) : 0);
    }

    int size()
    {
        return running() ? hz.getCluster().getMembers().size() : 0;
    }

    boolean quorumPresent()
    {
        return size() >= minClusterSize;
    }

    /**
     * Asks every member whether it is safe (backups in sync, no migration): a remote call that may block, so never
     * on an event loop. A safe cluster also clears a migration count left over by a master that died mid-migration.
     */
    boolean refreshSafety()
    {
        final boolean safe = running() && hz.getPartitionService().isClusterSafe();
        clusterSafe = safe;
        if (safe)
        {
            migrationsRemaining = 0;
        }
        return safe;
    }

    /**
     * The cluster view as JSON. {@code httpPorts} maps member UUIDs to the HTTP ports they published; a member
     * without one is shown without. Calls {@link #refreshSafety()}: not on an event loop.
     */
    byte[] toJson(final Map<String, Integer> httpPorts, final boolean draining, final boolean ready)
    {
        if (!running())
        {
            throw new IllegalStateException("the grid member is not running");
        }
        final boolean safe = refreshSafety();
        final Set<Member> members = hz.getCluster().getMembers();
        final Map<UUID, List<Integer>> owned = new HashMap<>();
        final List<Integer> unowned = new ArrayList<>();
        int partitionCount = 0;
        for (final Partition partition : hz.getPartitionService().getPartitions())
        {
            partitionCount++;
            final Member owner = partition.getOwner();
            if (owner == null)
            {
                unowned.add(partition.getPartitionId());
            }
            else
            {
                owned.computeIfAbsent(owner.getUuid(), u -> new ArrayList<>()).add(partition.getPartitionId());
            }
        }
        final ObjectNode root = MAPPER.createObjectNode();
        root.put("clusterName", hz.getConfig().getClusterName());
        root.put("localMember", hz.getCluster().getLocalMember().getUuid().toString());
        root.put("clusterSafe", safe);
        root.put("migrationsRemaining", migrationsRemaining);
        root.put("draining", draining);
        root.put("ready", ready);
        final ObjectNode quorum = root.putObject("quorum");
        quorum.put("size", members.size());
        quorum.put("min", minClusterSize);
        quorum.put("present", members.size() >= minClusterSize);
        root.put("partitionCount", partitionCount);
        final ArrayNode memberNodes = root.putArray("members");
        for (final Member member : members)
        {
            final ObjectNode m = memberNodes.addObject();
            final String uuid = member.getUuid().toString();
            m.put("uuid", uuid);
            m.put("address", member.getAddress().getHost() + ":" + member.getAddress().getPort());
            m.put("local", member.localMember());
            m.put("liteMember", member.isLiteMember());
            final Integer httpPort = httpPorts.get(uuid);
            if (httpPort != null)
            {
                m.put("httpPort", httpPort.intValue());
            }
            final List<Integer> partitions = owned.getOrDefault(member.getUuid(), List.of());
            partitions.sort(null);
            m.put("ownedPartitions", partitions.size());
            final ArrayNode ids = m.putArray("partitions");
            partitions.forEach(ids::add);
        }
        final ArrayNode unownedNode = root.putArray("unownedPartitions");
        unowned.sort(null);
        unowned.forEach(unownedNode::add);
        try
        {
            return MAPPER.writeValueAsBytes(root);
        }
        catch (final com.fasterxml.jackson.core.JsonProcessingException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** The current members by UUID, in member-list order; empty once the member has stopped. */
    Map<String, Member> members()
    {
        final Map<String, Member> byUuid = new LinkedHashMap<>();
        if (running())
        {
            for (final Member member : hz.getCluster().getMembers())
            {
                byUuid.put(member.getUuid().toString(), member);
            }
        }
        return byUuid;
    }

    private int localOwnedPartitions()
    {
        if (!running())
        {
            return 0;
        }
        final Member local = hz.getCluster().getLocalMember();
        int count = 0;
        for (final Partition partition : hz.getPartitionService().getPartitions())
        {
            if (local.equals(partition.getOwner()))
            {
                count++;
            }
        }
        return count;
    }

    private boolean running()
    {
        return hz.getLifecycleService().isRunning();
    }

    @Override
    public void close()
    {
        if (running())
        {
            hz.getPartitionService().removeMigrationListener(migrationListenerId);
        }
    }
}
