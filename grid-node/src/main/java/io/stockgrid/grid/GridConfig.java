package io.stockgrid.grid;

import com.hazelcast.config.Config;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.IndexConfig;
import com.hazelcast.config.IndexType;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.NetworkConfig;

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

        final NetworkConfig network = config.getNetworkConfig();
        network.setPort(memberPort).setPortAutoIncrement(true).setPortCount(100);
        network.getInterfaces().setEnabled(true).addInterface(bindAddress);
        final JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);

        config.getSerializationConfig().addDataSerializableFactory(GridSerializers.FACTORY_ID, new GridSerializers());

        // OBJECT format: entry processors work on the live record, with no (de)serialisation of its holds per call.
        // No indexes on the stock map: with an index, every change must update it and Hazelcast also copies the
        // record's old value for it (together two thirds of the partition threads' time in a profile). The SKU's
        // locations live in a registry of their own; overdue holds are found by an occasional scan.
        config.addMapConfig(new MapConfig(HazelcastInventoryService.STOCK_MAP)
            .setBackupCount(1)
            .setAsyncBackupCount(0)
            .setInMemoryFormat(InMemoryFormat.OBJECT));
        config.addMapConfig(new MapConfig(HazelcastInventoryService.LOCATIONS_MAP)
            .setBackupCount(1)
            .setAsyncBackupCount(0)
            .setInMemoryFormat(InMemoryFormat.OBJECT));
        config.addMapConfig(new MapConfig(HazelcastInventoryService.RESERVATIONS_MAP)
            .setBackupCount(1)
            .setAsyncBackupCount(0)
            .setInMemoryFormat(InMemoryFormat.OBJECT)
            .addIndexConfig(new IndexConfig(IndexType.SORTED, "heldUntilMs")));
        return config;
    }
}
