package io.stockgrid.grid;

import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.config.SplitBrainProtectionConfig;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionOn;

import java.util.List;
import java.util.Map;

/** Builds the Hazelcast member configuration. Everything is set here, in code: no XML, no classpath surprises. */
public final class GridConfig
{
    private GridConfig()
    {
    }

    /**
     * @param clusterName   members join only a cluster of the same name.
     * @param bindAddress   the interface the member binds to (and only that one).
     * @param memberPort    the first port tried; the next ones are tried if it is taken.
     */
    public static Config memberConfig(final String clusterName, final String bindAddress, final int memberPort)
    {
        return memberConfig(clusterName, bindAddress, memberPort, Membership.SINGLE);
    }

    /**
     * How a member finds the others and how many it needs.
     *
     * @param members              TCP-IP member list (host:port); empty for none.
     * @param kubernetesServiceDns headless Service name for Kubernetes DNS discovery; empty for none.
     * @param publicAddress        host:port the other members should use to reach this one; empty for the bind address.
     * @param minClusterSize       members needed for mutations (split-brain protection); 1 turns it off.
     */
    public record Membership(List<String> members, String kubernetesServiceDns, String publicAddress,
        int minClusterSize)
    {
        public static final Membership SINGLE = new Membership(List.of(), "", "", 1);
    }

    /** Member attribute holding the node's stable id (its data dir's {@code node.id}). */
    public static final String NODE_ID_ATTRIBUTE = "stockgrid.node-id";

    /**
     * A member's stable id: the node id it was started with (kept across a split-brain merge, which gives the member
     * a new UUID), else its UUID.
     */
    public static String nodeIdOf(final com.hazelcast.cluster.Member member)
    {
        final String id = member.getAttribute(NODE_ID_ATTRIBUTE);
        return id != null ? id : member.getUuid().toString();
    }

    /**
     * Sets the cluster's partition count ({@code --partitions}). Hazelcast refuses a joining member of another count.
     * A batch sends one operation per partition it touches, so fewer partitions carry more commands per operation;
     * a migration moves a whole partition, so fewer partitions move in larger pieces.
     */
    public static void partitions(final Config config, final int count)
    {
        config.setProperty("hazelcast.partition.count", Integer.toString(count));
    }

    /** Name of the split-brain protection rule every map is bound to when {@code minClusterSize > 1}. */
    public static final String QUORUM_RULE = "stockgrid-quorum";
    /** Largest migration (or backup re-sync) message, in megabytes; see {@link PartitionStore#CHUNK_RECORDS}. */
    static final int MIGRATION_MESSAGE_MB = 32;

    /**
     * Keeps reservation records as objects instead of in the partition's byte arena ({@code --reservations-format
     * object}): more heap per retained reservation and longer young pauses (docs/benchmarks.md, session 7). Set it
     * alike on every member.
     */
    public static void storeReservationsAsObjects(final Config config)
    {
        PartitionStore.of(config).keepAsObjects(HazelcastInventoryService.RESERVATIONS_MAP);
    }

    /**
     * Bounds the reservations (with their idempotency memory) the cluster remembers at about {@code total}
     * ({@code --max-reservations}; 0: unbounded): each partition takes {@code ceil(1.25 x total / partitions)}, then
     * answers a new reservation "retry later". Set it alike on every member, before it starts.
     */
    public static void maxReservations(final Config config, final long total)
    {
        PartitionStore.of(config).keepAtMost(HazelcastInventoryService.RESERVATIONS_MAP, total);
    }

    /** Reservations this member refused since start because their partition was at its share of the bound. */
    public static long reservationsRefusedAtCapacity(final HazelcastInstance member)
    {
        return PartitionStore.of(member).refusedAtCapacity();
    }

    /** Chunks of partition records this member sent since start, migrating partitions and re-syncing backups. */
    public static long migrationChunksSent(final HazelcastInstance member)
    {
        return PartitionStore.of(member).chunksSent();
    }

    /** How a member keeps its reservation records: {@code binary} (the byte arena) or {@code object}. */
    public static String reservationsFormat(final Config config)
    {
        return PartitionStore.of(config).spec(HazelcastInventoryService.RESERVATIONS_MAP).compact() ? "binary" :
            "object";
    }

    public static Config memberConfig(final String clusterName, final String bindAddress, final int memberPort,
        final Membership membership)
    {
        final Config config = new Config();
        config.setClusterName(clusterName);
        config.setInstanceName("stockgrid-" + clusterName + "-" + memberPort + "-" + System.nanoTime());
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.socket.bind.any", "false");
        config.setProperty("hazelcast.logging.type", "slf4j");
        // The node drains and shuts the member down itself, in order, on SIGTERM.
        config.setProperty("hazelcast.shutdownhook.enabled", "false");
        // An operation whose synchronous backup did not answer fails instead of being acknowledged.
        config.setProperty("hazelcast.operation.fail.on.indeterminate.state", "true");
        // A partition migrates (and a lagging backup re-syncs) in messages of at most this much: PartitionStore sends
        // its records in chunks, and Hazelcast packs chunks into a message until it holds this many megabytes.
        config.setProperty("hazelcast.partition.migration.chunks.max.migrating.data.in.mb",
            Integer.toString(MIGRATION_MESSAGE_MB));

        final NetworkConfig network = config.getNetworkConfig();
        network.setPort(memberPort).setPortAutoIncrement(true).setPortCount(100);
        if ("0.0.0.0".equals(bindAddress))
        {
            // Containers: listen everywhere and let Hazelcast pick the address it advertises (the pod IP).
            config.setProperty("hazelcast.socket.bind.any", "true");
        }
        else
        {
            network.getInterfaces().setEnabled(true).addInterface(bindAddress);
        }
        final JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        if (!membership.members().isEmpty())
        {
            join.getTcpIpConfig().setEnabled(true).setMembers(membership.members()).setConnectionTimeoutSeconds(2);
            // Members started together find each other in about a second instead of the default five.
            config.setProperty("hazelcast.wait.seconds.before.join", "1");
        }
        if (!membership.kubernetesServiceDns().isEmpty())
        {
            // DNS lookup mode: no Kubernetes API access (no RBAC) needed, only a headless Service.
            join.getKubernetesConfig().setEnabled(true)
                .setProperty("service-dns", membership.kubernetesServiceDns())
                .setProperty("service-port", Integer.toString(memberPort));
        }
        if (!membership.publicAddress().isEmpty())
        {
            network.setPublicAddress(membership.publicAddress());
        }
        // A member left alone is found quickly: heartbeats each second, a member silent for 10 s is removed.
        config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        config.setProperty("hazelcast.max.no.heartbeat.seconds", "10");
        // After a split heals, the two sides look for each other every 10 s (default 120 s / 60 s).
        config.setProperty("hazelcast.merge.first.run.delay.seconds", "10");
        config.setProperty("hazelcast.merge.next.run.delay.seconds", "10");
        config.setProperty("hazelcast.operation.backup.timeout.millis", "3000");

        config.getSerializationConfig().addDataSerializableFactory(GridSerializers.FACTORY_ID, new GridSerializers());

        final String quorum;
        if (membership.minClusterSize() > 1)
        {
            quorum = QUORUM_RULE;
            // Start-up (a full restart included) waits until enough members are there to form a quorum.
            config.setProperty("hazelcast.initial.min.cluster.size", Integer.toString(membership.minClusterSize()));
            config.addSplitBrainProtectionConfig(new SplitBrainProtectionConfig(QUORUM_RULE, true,
                membership.minClusterSize()).setProtectOn(SplitBrainProtectionOn.WRITE));
        }
        else
        {
            quorum = null;
        }
        // The grid's three tables, kept by the Stockgrid partition service: one synchronous backup, mutations checked
        // against the quorum rule. When a split heals, the smaller side's tables are emptied (PartitionStore.reset)
        // and the larger side's replicas arrive by migration: the minority refused mutations (quorum, missing
        // backups), so whatever it still held was never acknowledged.
        PartitionStore.register(config, new PartitionStore(List.of(
            new StoreTable.Spec(HazelcastInventoryService.STOCK_MAP,
                Map.of("earliestExpiryMs", r -> ((StockRecord)r).getEarliestExpiryMs()), null),
            new StoreTable.Spec(HazelcastInventoryService.RESERVATIONS_MAP,
                Map.of("heldUntilMs", r -> ((ReservationRecord)r).getHeldUntilMs(),
                    "pendingSinceMs", r -> ((ReservationRecord)r).getPendingSinceMs()), "heldUntilMs", true),
            new StoreTable.Spec(HazelcastInventoryService.LOCATIONS_MAP, Map.of(), null)), 1, quorum,
            membership.minClusterSize()));
        return config;
    }
}
